#!/usr/bin/env bash
# Installs the built binaries and the admin mount helpers:
#   /usr/local/bin/obiafs, /usr/local/bin/obiactl, /sbin/mount.fuse.obiafs,
#   /etc/systemd/system/obiafs@.service, /usr/local/share/doc/obia/
# Usage: mountscripts/build.sh && sudo mountscripts/install.sh [PREFIX]
set -euo pipefail
cd "$(dirname "$0")/.."
PREFIX=${1:-/usr/local}
install -D -m 0755 build/daemon/obiafs "$PREFIX/bin/obiafs"
install -D -m 0755 build/daemon/obiactl "$PREFIX/bin/obiactl"
install -D -m 0755 build/daemon/obiactl-full "$PREFIX/bin/obiactl-full"
install -D -m 0755 mountscripts/mount.fuse.obiafs /sbin/mount.fuse.obiafs
if [ -d /etc/systemd/system ]; then
  install -D -m 0644 mountscripts/obiafs@.service /etc/systemd/system/obiafs@.service
fi
install -d /etc/obia
install -D -m 0644 -t "$PREFIX/share/doc/obia" docs/*.md mountscripts/fstab.example
echo "installed obiafs, obiactl, mount.fuse.obiafs and obiafs@.service"
echo "next: create /etc/obia/NAME.conf (ARCHIVE=..., MOUNT=...) and systemctl enable --now obiafs@NAME,"
echo "      or add a line like mountscripts/fstab.example to /etc/fstab"
