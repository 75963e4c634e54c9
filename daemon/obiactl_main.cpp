// obiactl: administration of OBIA archives (init, collections, wait, stats, verify).
#include <CLI/CLI.hpp>
#include <iostream>

#include "daemon/ctl.h"

using namespace obia;

int main(int argc, char** argv) {
  CLI::App app{"obiactl: administer an OBIA archive"};
  app.require_subcommand(1);
  app.footer(
      "Examples:\n"
      "  obiactl init /srv/archive\n"
      "  obiactl collection create /srv/archive --title 'Lung CT screening' --disease 'lung cancer'\n"
      "  obiafs /srv/archive /mnt/obia && cp -r scans/ /mnt/obia/inbox/OBIA0001/\n"
      "  obiactl wait /srv/archive --timeout 600\n"
      "  obiactl stats /srv/archive\n"
      "  obiactl verify /srv/archive\n"
      "Run 'obiactl COMMAND --help' for each command's options.");
  int rc = 0;
  ctl::register_core_commands(app, rc);
  ctl::register_qc_commands(app, rc);
  ctl::register_similarity_commands(app, rc);
  ctl::register_access_commands(app, rc);
  ctl::register_metadata_commands(app, rc);
  ctl::register_search_commands(app, rc);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return rc;
}
