// obiactl access commands (filled in by the access work).
#include <CLI/CLI.hpp>

#include "daemon/ctl.h"

namespace obia::ctl {

void register_access_commands(CLI::App&, int&) {}

}  // namespace obia::ctl
