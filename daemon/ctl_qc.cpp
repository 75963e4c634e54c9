// obiactl qc commands (filled in by the qc work).
#include <CLI/CLI.hpp>

#include "daemon/ctl.h"

namespace obia::ctl {

void register_qc_commands(CLI::App&, int&) {}

}  // namespace obia::ctl
