// Mounting the tree: a libfuse low-level session run by a multi-threaded loop.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "fs/context.h"

namespace obia::fs {

struct MountOptions {
  std::string mountpoint;
  bool foreground = false;
  bool debug = false;
  std::vector<std::string> options;  // -o values, e.g. "allow_other"
  // Runs once mounted (and daemonised): start threads here, never before a fork.
  std::function<void()> on_mounted;
  // Runs when the loop ends, before unmount.
  std::function<void()> on_unmounting;
};

// Clears a dead FUSE mount ("Transport endpoint is not connected") left by a killed daemon.
void clear_stale_mount(const std::string& mountpoint);
// Mounts, serves until unmounted or signalled (SIGTERM, SIGINT, SIGHUP), unmounts. Returns an
// exit code.
int run_mount(Context& context, const MountOptions& options);

}  // namespace obia::fs
