// obiactl similarity commands (filled in by the similarity work).
#include <CLI/CLI.hpp>

#include "daemon/ctl.h"

namespace obia::ctl {

void register_similarity_commands(CLI::App&, int&) {}

}  // namespace obia::ctl
