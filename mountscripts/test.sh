#!/usr/bin/env bash
# Sets up, builds and runs every test: GoogleTest unit tests and FUSE integration tests (ctest),
# then the unit, ingest and QC tests again under AddressSanitizer + UndefinedBehaviorSanitizer.
# Usage: mountscripts/test.sh                    (needs root for FUSE mounts and test users)
#        OBIA_SANITIZE=0 mountscripts/test.sh    (skip the sanitizer pass)
set -euo pipefail
cd "$(dirname "$0")/.."
mountscripts/setup.sh
mountscripts/build.sh
# On failure, repeat each failed test's one-line reasons (pytest's FAILED/ERROR lines, GoogleTest's
# failure locations) at the very end, where a truncated CI log still shows them.
run_ctest() {  # DIR [ctest args...]
  local dir=$1 log
  shift
  log="$dir/ctest-output.log"
  if ( cd "$dir" && ctest --output-on-failure -j2 --timeout 900 "$@" ) 2>&1 | tee "$log"; then
    return 0
  fi
  echo "== why the failed tests failed (from $log)"
  grep -E '^([0-9]+: )?((FAILED|ERROR) |E +[A-Za-z]*Error|.*: Failure$|\[  FAILED  \] [A-Za-z])' \
    "$log" | head -40 || true
  return 1
}
run_ctest build

# The same unit tests, and the ingest, QC and reader-mount integration tests (label "sanitize"), under
# AddressSanitizer + UndefinedBehaviorSanitizer. The daemon runs detached, so its reports go
# to files that are printed when the pass fails. OBIA_SANITIZE=0 skips it (local iterations).
if [ "${OBIA_SANITIZE:-1}" = 1 ]; then
  echo "== sanitizer build (ASan + UBSan)"
  OBIA_BUILD_DIR=build-asan OBIA_BUILD_TYPE=Debug mountscripts/build.sh -DOBIA_SANITIZE=ON
  logs="$PWD/build-asan/sanitizer-logs"
  rm -rf "$logs" && mkdir -p "$logs"
  export ASAN_OPTIONS="detect_leaks=0:abort_on_error=1:log_path=$logs/asan"
  export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1:log_path=$logs/ubsan"
  if ! run_ctest build-asan -L 'unit|sanitize'; then
    for f in "$logs"/*; do [ -e "$f" ] && { echo "== $f"; cat "$f"; }; done
    exit 1
  fi
fi
