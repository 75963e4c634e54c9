// The core obiactl commands: init, collection create|list, wait, stats, verify.
#include <CLI/CLI.hpp>
#include <memory>

#include "daemon/ctl.h"

namespace obia::ctl {

void register_core_commands(CLI::App& app, int& rc) {
  // Option storage outlives parsing: callbacks run after it.
  struct Opts {
    std::string archive, prefix = "OBIA", title, description, disease, keywords, access = "open",
                         owner, curators, profile;
    bool json = false, repair = false;
    double timeout = 600;
  };
  auto o = std::make_shared<Opts>();

  auto* init = app.add_subcommand("init", "create an archive (secret, config, catalog)");
  init->add_option("ARCHIVE", o->archive, "directory to create")->required();
  init->add_option("--prefix", o->prefix, "collection accession prefix (capital letters)");
  init->footer("Example: obiactl init /srv/archive --prefix OBIA");
  init->callback([&rc, o] { rc = cmd_init(o->archive, o->prefix); });

  auto* coll = app.add_subcommand("collection", "create or list collections");
  coll->require_subcommand(1);
  auto* create = coll->add_subcommand("create", "create a collection; prints its accession");
  create->add_option("ARCHIVE", o->archive)->required();
  create->add_option("--title", o->title, "title")->required();
  create->add_option("--description", o->description, "description");
  create->add_option("--disease", o->disease, "disease studied");
  create->add_option("--keywords", o->keywords, "comma-separated keywords");
  create->add_option("--access", o->access, "open | controlled")
      ->check(CLI::IsMember({"open", "controlled"}));
  create->add_option("--owner", o->owner, "data owner (user name)");
  create->add_option("--curators", o->curators, "curator group");
  create->add_option("--profile", o->profile,
                     "de-identification profile: 'default', 'basic', or option names joined by ','");
  create->footer(
      "Example: obiactl collection create /srv/archive --title 'Brain MR' --disease glioma "
      "--access controlled --owner alice --curators radiology");
  create->callback([&rc, o] {
    std::map<std::string, std::string> attrs;
    for (auto [k, v] : {std::pair{"title", &o->title}, {"description", &o->description},
                        {"disease", &o->disease}, {"keywords", &o->keywords},
                        {"access", &o->access}, {"owner", &o->owner}, {"curators", &o->curators},
                        {"profile", &o->profile}})
      if (!v->empty()) attrs[k] = *v;
    rc = cmd_collection_create(o->archive, attrs);
  });
  auto* list = coll->add_subcommand("list", "list collections");
  list->add_option("ARCHIVE", o->archive)->required();
  list->add_flag("--json", o->json, "JSON output");
  list->footer("Example: obiactl collection list /srv/archive");
  list->callback([&rc, o] { rc = cmd_collection_list(o->archive, o->json); });

  auto* wait = app.add_subcommand("wait", "block until the inbox and ingest queues are drained");
  wait->add_option("ARCHIVE", o->archive)->required();
  wait->add_option("--timeout", o->timeout, "seconds before giving up (exit 1)");
  wait->footer(
      "Example: cp -r scans/ /mnt/obia/inbox/OBIA0001/ && obiactl wait /srv/archive --timeout 300");
  wait->callback([&rc, o] { rc = cmd_wait(o->archive, o->timeout); });

  // stats: text, JSON (the mount's stats.json) or an HTML report.
  auto html = std::make_shared<std::string>();
  auto* stats = app.add_subcommand(
      "stats", "counts per collection, modality, body part, sex and age band (Table 1 style)");
  stats->add_option("ARCHIVE", o->archive)->required();
  auto* stats_json = stats->add_flag("--json", o->json, "JSON output (the mount's stats.json)");
  stats->add_option("--html", *html, "write a self-contained HTML report with SVG charts to FILE "
                                     "('-': standard output)")
      ->type_name("FILE")
      ->excludes(stats_json);
  stats->footer(
      "Examples: obiactl stats /srv/archive --json | jq .totals\n"
      "          obiactl stats /srv/archive --html /var/www/obia/stats.html");
  stats->callback([&rc, o, html] {
    rc = html->empty() ? cmd_stats(o->archive, o->json) : cmd_stats_html(o->archive, *html);
  });

  auto* verify = app.add_subcommand("verify", "check objects against hashes and the catalog");
  verify->add_option("ARCHIVE", o->archive)->required();
  verify->add_flag("--repair", o->repair,
                   "remove orphan objects (never touches referenced ones) and recount series totals");
  verify->footer("Example: obiactl verify /srv/archive   (exit 0 when clean)");
  verify->callback([&rc, o] { rc = cmd_verify(o->archive, o->repair); });
}

}  // namespace obia::ctl
