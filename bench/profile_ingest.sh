#!/usr/bin/env bash
# Profiles the daemon alone over one ingest: a fresh archive is mounted, `perf record -g` attaches
# to obiafs, SOURCE is copied into the inbox with `cp -r` and `obiactl wait` returns; then the
# profile is summarised by library and by the hottest symbols. Not a benchmark (perf slows the
# daemon); the ratios come from bench_fs.py.
# Usage: bench/profile_ingest.sh [BUILD_DIR] [SOURCE] [PERF_DATA]
#   e.g. bench/profile_ingest.sh /work/build /var/tmp/obia-bench/data/n2000-k500/set /tmp/ingest.perf
#   (that SOURCE is the set bench_fs.py generates; any folder of DICOM files works)
set -euo pipefail
cd "$(dirname "$0")/.."
B=${1:-build}/daemon
SRC=${2:-/var/tmp/obia-bench/data/n2000-k500/set}
OUT=${3:-/tmp/obia-ingest.perf}
command -v perf >/dev/null || { echo "profile_ingest: perf is not installed (linux-perf)" >&2; exit 2; }
[ -d "$SRC" ] || { echo "profile_ingest: no source folder $SRC (run bench/bench_fs.py once)" >&2; exit 2; }

A=$(mktemp -d /var/tmp/obia-prof.XXXXXX)
pid="" perf_pid=""
cleanup() {
  [ -n "$perf_pid" ] && kill -INT "$perf_pid" 2>/dev/null && wait "$perf_pid" 2>/dev/null
  fusermount3 -u "$A/mnt" 2>/dev/null || fusermount3 -u -z "$A/mnt" 2>/dev/null || true
  local deadline=$((SECONDS + 30))  # the daemon exits after the unmount; then its files can go
  while [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.1; done
  rm -rf "$A"
}
trap cleanup EXIT
"$B/obiactl" init "$A/arc" >/dev/null
"$B/obiactl" collection create "$A/arc" --title profile >/dev/null
mkdir "$A/mnt"
"$B/obiafs" "$A/arc" "$A/mnt"
pid=$(cat "$A/arc/run/obiafs.lock")
find "$SRC" -type f -exec cat {} + >/dev/null  # the source is read from the page cache

perf record -q -g -p "$pid" -o "$OUT" 2>/dev/null &
perf_pid=$!
deadline=$((SECONDS + 10))
until [ -s "$OUT" ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.05; done  # perf attached
read -r ut0 st0 < <(awk '{print $14, $15}' "/proc/$pid/stat")
s=$(date +%s.%N)
cp -r "$SRC" "$A/mnt/inbox/OBIA0001/"
"$B/obiactl" wait "$A/arc" --timeout 1800 >/dev/null
e=$(date +%s.%N)
read -r ut st < <(awk '{print $14, $15}' "/proc/$pid/stat")
kill -INT "$perf_pid"
wait "$perf_pid" || true
perf_pid=""
files=$(find "$SRC" -type f | wc -l)
echo "ingest of $files files: $(echo "$e - $s" | bc) s wall (under perf), daemon CPU" \
  "$(echo "scale=2; ($ut + $st - $ut0 - $st0) / $(getconf CLK_TCK)" | bc) s"
echo "--- by library (self)"
perf report -i "$OUT" --no-children --sort dso -g none -q 2>/dev/null | head -12
echo "--- hottest symbols (inclusive)"
perf report -i "$OUT" --children --sort sym -g none -q 2>/dev/null | grep -v '^$' | head -40 | cut -c1-140
echo "profile kept in $OUT (perf report -i $OUT)"
