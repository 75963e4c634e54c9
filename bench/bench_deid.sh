#!/usr/bin/env bash
# De-identification throughput, one core, files in the page cache: cp vs gdcmanon (GDCM's Basic
# Profile, Debian's libgdcm-tools) vs ours (parse + de-identify + verify + serialise + byte
# check), in alternating rounds of one run; medians per tool. Inputs and outputs live on tmpfs
# so that the filesystem's own allocation work (the same for every tool) does not hide the CPU
# cost being compared.
# Usage: bench/bench_deid.sh [FILES] [SIZE_KB] [ROUNDS]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000}
KB=${2:-128}
ROUNDS=${3:-5}
TMP=${OBIA_BENCH_TMP:-/dev/shm}
W=$(mktemp -d "$TMP/obia-bench-deid.XXXXXX")
trap 'rm -rf "$W"' EXIT
command -v gdcmanon >/dev/null || { echo "needs gdcmanon (apt-get install libgdcm-tools)"; exit 1; }
BUILD=${OBIA_BUILD_DIR:-build}
cmake --build "$BUILD" --target bench_deid -j"$(nproc)" >/dev/null
per_series=25
patients=$(( (N + 4 * per_series - 1) / (4 * per_series) ))
/usr/bin/python3 tests/tools/obia_synth.py series "$W/in" --patients "$patients" \
  --images-per-series $per_series --size-kb "$KB" -q
count=$(find "$W/in" -type f | wc -l)
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 1 \
  -subj /CN=bench >/dev/null 2>&1
t() {  # wall seconds of one run on core 0, its output removed afterwards
  local out=$1 s e
  shift
  rm -rf "$out"
  s=$(date +%s.%N)
  taskset -c 0 "$@" >/dev/null 2>&1
  e=$(date +%s.%N)
  rm -rf "$out"
  echo "$e - $s" | bc
}
declare -a cp_t gdcm_t ours_t def_t
for r in $(seq "$ROUNDS"); do
  cp_t+=("$(t "$W/cp" cp -r "$W/in" "$W/cp")")
  gdcm_t+=("$(t "$W/gdcm" gdcmanon -e -c "$W/cert.pem" -r -i "$W/in" -o "$W/gdcm" --continue)")
  ours_t+=("$(t "$W/ours" "$BUILD"/bench/bench_deid "$W/in" "$W/ours" --profile basic)")
  def_t+=("$(t "$W/ours2" "$BUILD"/bench/bench_deid "$W/in" "$W/ours2" --profile default)")
  echo "round $r: cp ${cp_t[-1]} s, gdcmanon ${gdcm_t[-1]} s, OBIA basic ${ours_t[-1]} s, default ${def_t[-1]} s" >&2
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }
row() { local m; m=$(median "${@:2}"); printf '| %s | %.3f | %.0f |\n' "$1" "$m" "$(echo "$count / $m" | bc -l)"; }
echo "| tool ($count files of ~${KB} KB, one core, median of $ROUNDS) | seconds | files/s |"
echo "|---|---|---|"
row "cp -r" "${cp_t[@]}"
row "gdcmanon -e (Basic Profile)" "${gdcm_t[@]}"
row "OBIA, Basic Profile" "${ours_t[@]}"
row "OBIA, default profile" "${def_t[@]}"
ratios=()
for i in "${!ours_t[@]}"; do ratios+=("$(echo "${gdcm_t[$i]} / ${ours_t[$i]}" | bc -l)"); done
printf 'OBIA (Basic) speed / gdcmanon speed, per round: %s; median %.2f\n' \
  "$(printf '%.2f ' "${ratios[@]}")" "$(median "${ratios[@]}")"
