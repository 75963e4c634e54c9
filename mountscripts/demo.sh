#!/usr/bin/env bash
# One-command demo: set up, build, create an archive under ./demo/, mount it at ./demo/mnt,
# submit sample DICOM (Debian's pydicom test files + a synthetic CT/MR set), wait, show the tree.
# Usage: mountscripts/demo.sh          (as root: FUSE mounts need it here)
set -euo pipefail
cd "$(dirname "$0")/.."
TOP=$(pwd)
DEMO=$TOP/demo
ARCHIVE=$DEMO/archive
MNT=$DEMO/mnt
BIN=$TOP/build/daemon

mountscripts/setup.sh
echo "== building"
mountscripts/build.sh

mkdir -p "$DEMO" "$MNT"
if grep -q " $MNT fuse" /proc/mounts || ! stat "$MNT" >/dev/null 2>&1; then
  echo "== unmounting the previous demo mount"
  fusermount3 -u -z "$MNT" 2>/dev/null || true
fi
if [ ! -f "$ARCHIVE/config.json" ]; then
  "$BIN/obiactl" init "$ARCHIVE"
fi
if ! "$BIN/obiactl" collection list "$ARCHIVE" | grep '^OBIA0001' >/dev/null; then
  "$BIN/obiactl" collection create "$ARCHIVE" --title "OBIA demo" \
    --description "Debian's pydicom test files and a synthetic CT/MR set" --disease "none (demo)"
fi
"$BIN/obiafs" "$ARCHIVE" "$MNT"
echo "== mounted $ARCHIVE at $MNT"

SAMPLES=$DEMO/samples
if [ ! -d "$SAMPLES" ]; then
  echo "== generating a synthetic CT/MR set with fake identifiers"
  /usr/bin/python3 tests/tools/obia_synth.py series "$SAMPLES/synthetic" --patients 3 -q
  cp -r /usr/lib/python3/dist-packages/pydicom/data/test_files "$SAMPLES/pydicom"
fi
echo "== submitting $(find "$SAMPLES" -type f | wc -l) files: cp -r $SAMPLES/. $MNT/inbox/OBIA0001/"
cp -r "$SAMPLES/." "$MNT/inbox/OBIA0001/"
"$BIN/obiactl" wait "$ARCHIVE" --timeout 600

echo "== the archive (first levels)"
# sed -n, not head: head exits early, and under pipefail the writer's SIGPIPE would end the demo.
find "$MNT/OBIA0001" -maxdepth 3 | sed "s|$MNT/||" | sort | sed -n '1,40p'
echo "..."
echo "== one archived image, de-identified:"
first=$(find "$MNT/OBIA0001" -path '*/similar' -prune -o -name '*.dcm' -print | sort | sed -n 1p)
dcmdump "$first" | grep -E 'PatientName|PatientID|PatientIdentityRemoved|DeidentificationMethod\b|StudyDate' || true
echo "== counts"
"$BIN/obiactl" stats "$ARCHIVE"
echo "== quarantined (not DICOM, truncated, ...): $(find "$MNT/quarantine/OBIA0001" -name '*.reason' | wc -l) files, e.g.:"
r=$(find "$MNT/quarantine/OBIA0001" -name '*.reason' | sort | sed -n 1p)
[ -n "$r" ] && sed 's/^/    /' "$r"
cat <<MSG

The archive is mounted at $MNT. Try:
  ls $MNT/OBIA0001
  cat $MNT/README.txt
  cp -r YOUR_DICOM_DIR $MNT/inbox/OBIA0001/ && $BIN/obiactl wait $ARCHIVE
A read-only reader mount of the open collections, for training jobs (kernel-cached opens):
  mkdir -p $DEMO/train && $BIN/obiafs $ARCHIVE $DEMO/train --reader && ls $DEMO/train/OBIA0001
  fusermount3 -u $DEMO/train
Unmount with:
  fusermount3 -u $MNT
MSG
