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
  std::string archive;

  auto* init = app.add_subcommand("init", "create an archive (secret, config, catalog)");
  std::string prefix = "OBIA";
  init->add_option("ARCHIVE", archive, "directory to create")->required();
  init->add_option("--prefix", prefix, "collection accession prefix (capital letters)");
  init->footer("Example: obiactl init /srv/archive --prefix OBIA");
  init->callback([&] { rc = ctl::cmd_init(archive, prefix); });

  auto* coll = app.add_subcommand("collection", "create or list collections");
  coll->require_subcommand(1);
  auto* create = coll->add_subcommand("create", "create a collection; prints its accession");
  std::map<std::string, std::string> attrs;
  std::string title, description, disease, keywords, access = "open", owner, curators, profile;
  create->add_option("ARCHIVE", archive)->required();
  create->add_option("--title", title, "title")->required();
  create->add_option("--description", description, "description");
  create->add_option("--disease", disease, "disease studied");
  create->add_option("--keywords", keywords, "comma-separated keywords");
  create->add_option("--access", access, "open | controlled")->check(CLI::IsMember({"open", "controlled"}));
  create->add_option("--owner", owner, "data owner (user name)");
  create->add_option("--curators", curators, "curator group");
  create->add_option("--profile", profile,
                     "de-identification profile: 'default', 'basic', or option names joined by ','");
  create->footer(
      "Example: obiactl collection create /srv/archive --title 'Brain MR' --disease glioma "
      "--access controlled --owner alice --curators radiology");
  create->callback([&] {
    for (auto [k, v] : {std::pair{"title", &title}, {"description", &description},
                        {"disease", &disease}, {"keywords", &keywords}, {"access", &access},
                        {"owner", &owner}, {"curators", &curators}, {"profile", &profile}})
      if (!v->empty()) attrs[k] = *v;
    rc = ctl::cmd_collection_create(archive, attrs);
  });
  auto* list = coll->add_subcommand("list", "list collections");
  bool json = false;
  list->add_option("ARCHIVE", archive)->required();
  list->add_flag("--json", json, "JSON output");
  list->footer("Example: obiactl collection list /srv/archive");
  list->callback([&] { rc = ctl::cmd_collection_list(archive, json); });

  auto* wait = app.add_subcommand("wait", "block until the inbox and ingest queues are drained");
  double timeout = 600;
  wait->add_option("ARCHIVE", archive)->required();
  wait->add_option("--timeout", timeout, "seconds before giving up (exit 1)");
  wait->footer("Example: cp -r scans/ /mnt/obia/inbox/OBIA0001/ && obiactl wait /srv/archive --timeout 300");
  wait->callback([&] { rc = ctl::cmd_wait(archive, timeout); });

  auto* stats = app.add_subcommand("stats", "counts per collection: individuals, studies, series, images");
  stats->add_option("ARCHIVE", archive)->required();
  stats->add_flag("--json", json, "JSON output");
  stats->footer("Example: obiactl stats /srv/archive --json | jq .totals");
  stats->callback([&] { rc = ctl::cmd_stats(archive, json); });

  auto* verify = app.add_subcommand("verify", "check objects against hashes and the catalog");
  bool repair = false;
  verify->add_option("ARCHIVE", archive)->required();
  verify->add_flag("--repair", repair, "remove orphan objects (never touches referenced ones)");
  verify->footer("Example: obiactl verify /srv/archive   (exit 0 when clean)");
  verify->callback([&] { rc = ctl::cmd_verify(archive, repair); });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return rc;
}
