// obiafs --reader: a read-only mount of an archive for training nodes and bulk readers, beside
// (or without) the archive's writer daemon. See docs/researcher.md, "Reader mounts".
#pragma once

#include "fs/session.h"
#include "store/archive.h"

namespace obia::daemon {

// Opens the archive's catalog and objects without taking the writer's lock, mounts the reader
// tree and serves until unmounted. Returns an exit code.
int run_reader_mount(const store::ArchivePaths& paths, fs::MountOptions mo);

}  // namespace obia::daemon
