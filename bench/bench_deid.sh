#!/usr/bin/env bash
# De-identification throughput in one run, one core, files in page cache: cp vs gdcmanon
# (GDCM's Basic Profile, Debian's libgdcm-tools) vs ours (parse + de-identify + verify +
# serialise + byte check). Usage: bench/bench_deid.sh [FILES] [SIZE_KB]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
KB=${2:-128}
W=$(mktemp -d /var/tmp/obia-bench-deid.XXXXXX)
trap 'rm -rf "$W"' EXIT
command -v gdcmanon >/dev/null || { echo "needs gdcmanon (apt-get install libgdcm-tools)"; exit 1; }
BUILD=${OBIA_BUILD_DIR:-build}
cmake --build "$BUILD" --target bench_deid -j"$(nproc)" >/dev/null
per_series=25
patients=$(( (N + 4 * per_series - 1) / (4 * per_series) ))
/usr/bin/python3 tests/tools/obia_synth.py series "$W/in" --patients "$patients" \
  --images-per-series $per_series --size-kb "$KB" -q
count=$(find "$W/in" -type f | wc -l)
cat $(find "$W/in" -type f) > /dev/null   # into the page cache
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 1 \
  -subj /CN=bench >/dev/null 2>&1
rate() { echo "scale=1; $count / $1" | bc; }
t() { local s e; s=$(date +%s.%N); "$@" >/dev/null 2>&1; e=$(date +%s.%N); echo "$e - $s" | bc; }
t_cp=$(t taskset -c 0 cp -r "$W/in" "$W/cp")
t_gdcm=$(t taskset -c 0 gdcmanon -e -c "$W/cert.pem" -r -i "$W/in" -o "$W/gdcm" --continue)
t_ours=$(t taskset -c 0 "$BUILD"/bench/bench_deid "$W/in" "$W/ours" --profile basic)
t_ours_def=$(t taskset -c 0 "$BUILD"/bench/bench_deid "$W/in" "$W/ours2" --profile default)
echo "| tool ($count files of ~${KB} KB, one core) | seconds | files/s |"
echo "|---|---|---|"
echo "| cp -r | $t_cp | $(rate "$t_cp") |"
echo "| gdcmanon -e (Basic Profile) | $t_gdcm | $(rate "$t_gdcm") |"
echo "| OBIA, Basic Profile | $t_ours | $(rate "$t_ours") |"
echo "| OBIA, default profile | $t_ours_def | $(rate "$t_ours_def") |"
