#!/usr/bin/env bash
# OCR ingest with and without a process-wide OpenMP limit: the daemon's CPU seconds and wall time
# for ingesting the deid-data ultrasounds (x4) through a mount. Equal CPU in both runs means the
# workers' own serial OpenMP setting leaves no threads spinning.
# Usage: bench/bench_ocr_threads.sh [BUILD_DIR]   (needs ../shared/testdata)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}/daemon
US=../shared/testdata/dicom/deid-data/ultrasounds
run() {
  local A
  A=$(mktemp -d /var/tmp/obia-ocr.XXXXXX)
  "$B/obiactl" init "$A/arc" >/dev/null
  "$B/obiactl" collection create "$A/arc" --title ocr >/dev/null
  mkdir "$A/mnt" "$A/in"
  local i=0 f r
  for r in 1 2 3 4; do for f in "$US"/*.dcm; do i=$((i + 1)); cp "$f" "$A/in/u$i.dcm"; done; done
  env "$@" "$B/obiafs" "$A/arc" "$A/mnt"
  local pid s e ut st
  pid=$(cat "$A/arc/run/obiafs.lock")
  s=$(date +%s.%N)
  cp -r "$A/in/." "$A/mnt/inbox/OBIA0001/"
  "$B/obiactl" wait "$A/arc" --timeout 600 >/dev/null
  e=$(date +%s.%N)
  read -r ut st < <(awk '{print $14, $15}' "/proc/$pid/stat")
  echo "| ${*:-(none)} | $i | $(echo "$e - $s" | bc) | $(echo "scale=2; ($ut + $st) / $(getconf CLK_TCK)" | bc) |"
  fusermount3 -u "$A/mnt"
  local deadline=$((SECONDS + 30))  # the daemon exits after the unmount; then its files can go
  while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  rm -rf "$A"
}
echo "| environment | files | wall s | daemon CPU s |"
echo "|---|---|---|---|"
run OMP_THREAD_LIMIT=1
run OBIA_BENCH=1
