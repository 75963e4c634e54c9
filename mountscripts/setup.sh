#!/usr/bin/env bash
# Installs every Debian 12 package OBIA needs to build, test and run (idempotent).
# Usage: mountscripts/setup.sh        (as root, or with sudo available)
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config git
  fuse3 libfuse3-dev
  dcmtk libdcmtk-dev
  liblmdb-dev lmdb-utils
  libxxhash-dev libssl-dev
  libcli11-dev nlohmann-json3-dev
  libgtest-dev libgmock-dev
  python3 python3-pydicom python3-numpy python3-pytest
  zlib1g-dev libpng-dev libjpeg-dev libopenjp2-7-dev
  libtorch-dev libfaiss-dev
  libtesseract-dev tesseract-ocr-eng
  dcm2niix dicom3tools jq util-linux procps acl attr passwd chromium
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#PACKAGES[@]} packages present"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
