// obiactl metadata commands (filled in by the metadata work).
#include <CLI/CLI.hpp>

#include "daemon/ctl.h"

namespace obia::ctl {

void register_metadata_commands(CLI::App&, int&) {}

}  // namespace obia::ctl
