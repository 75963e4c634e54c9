// obiactl: administration of OBIA archives (init, collections, wait, stats,
// verify, ...). Built twice: `obiactl` with the everyday commands, which start
// in milliseconds, and `obiactl-full` with every command; `obiactl` hands the
// imaging commands (similarity, qc, report) to `obiactl-full` beside it, so
// users only ever type `obiactl`.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string_view>

#include "daemon/ctl.h"

using namespace obia;

namespace {

#ifndef OBIACTL_FULL
struct Imaging {
  const char* name;
  const char* description;
};
constexpr Imaging kImagingCommands[] = {
    {"similarity", "image similarity: train, install, reindex, eval"},
    {"qc", "quality control: report, contact sheets, pixel rules"},
    {"report", "reports on a collection's archived files"},
};

// Replaces this process with obiactl-full from the same directory, same arguments (argv[0]
// unchanged, so usage lines still say obiactl).
int run_full(char** argv) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    std::cerr << "obiactl: cannot locate itself: " << ec.message() << "\n";
    return 1;
  }
  std::string full = (self.parent_path() / "obiactl-full").string();
  ::execv(full.c_str(), argv);
  std::cerr << "obiactl: cannot run " << full << ": " << std::strerror(errno)
            << " (install obiactl-full beside obiactl)\n";
  return 1;
}
#endif

// A usage error in one line that names the command it happened in (CLI11's own message is two
// lines and never says which subcommand lacked its own), and the exit code 2 of usage errors.
int parse_failure(CLI::App& app, const CLI::ParseError& e) {
  if (e.get_exit_code() == 0) return app.exit(e);  // --help and friends
  std::string path = "obiactl";
  CLI::App* at = &app;
  for (auto subs = at->get_subcommands(); !subs.empty(); subs = at->get_subcommands()) {
    at = subs.front();
    path += " " + at->get_name();
  }
  std::string what = e.what();
  if (e.get_name() == "RequiredError" && what.find("subcommand") != std::string::npos) {
    what = "which command? one of:";
    for (CLI::App* sub : at->get_subcommands([](CLI::App*) { return true; }))
      what += " " + sub->get_name();
  }
  std::cerr << path << ": " << what << " (see '" << path << " --help')\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
#ifndef OBIACTL_FULL
  for (int i = 1; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a.empty() || a[0] == '-') continue;  // global flags such as --help come first
    for (const auto& c : kImagingCommands)
      if (a == c.name) return run_full(argv);
    break;
  }
#endif
  CLI::App app{"obiactl: administer an OBIA archive"};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  obiactl init /srv/archive\n"
      "  obiactl collection create /srv/archive --title 'Lung CT "
      "screening' --disease 'lung cancer'\n"
      "  obiafs /srv/archive /mnt/obia && cp -r scans/ "
      "/mnt/obia/inbox/OBIA0001/\n"
      "  obiactl wait /srv/archive --timeout 600\n"
      "  obiactl stats /srv/archive\n"
      "  obiactl verify /srv/archive\n"
      "Run 'obiactl COMMAND --help' for each command's options.");
  int rc = 0;
  ctl::register_core_commands(app, rc);
#ifdef OBIACTL_FULL
  ctl::register_qc_commands(app, rc);
  ctl::register_similarity_commands(app, rc);
#else
  for (const auto& c : kImagingCommands) app.add_subcommand(c.name, c.description);
#endif
  ctl::register_access_commands(app, rc);
  ctl::register_metadata_commands(app, rc);
  ctl::register_search_commands(app, rc);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return parse_failure(app, e);
  }
  return rc;
}
