#!/usr/bin/env bash
# Configures and builds OBIA into build/ (or $OBIA_BUILD_DIR). Extra arguments go to cmake.
# Usage: mountscripts/build.sh [-DOBIA_SANITIZE=ON ...]
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${OBIA_BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=${OBIA_BUILD_TYPE:-RelWithDebInfo} "$@" >/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
