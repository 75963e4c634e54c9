// The core obiactl commands: init, collection create|list, wait, stats, verify.
#include <CLI/CLI.hpp>
#include <memory>
#include <tuple>

#include "daemon/ctl.h"

namespace obia::ctl {

void register_core_commands(CLI::App& app, int& rc) {
  // Option storage outlives parsing: callbacks run after it.
  struct Opts {
    std::string archive, prefix = "OBIA", title, description, disease, keywords, access = "open",
                         owner, curators, profile, submitter, collection;
    std::vector<std::string> links;
    bool json = false, repair = false;
    double timeout = 600;
  };
  auto o = std::make_shared<Opts>();

  auto* init = app.add_subcommand("init", "create an archive (secret, config, catalog)");
  init->add_option("ARCHIVE", o->archive, "directory to create")->required();
  init->add_option("--prefix", o->prefix, "collection accession prefix (capital letters)");
  init->footer("Example: obiactl init /srv/archive --prefix OBIA");
  init->callback([&rc, o] { rc = cmd_init(o->archive, o->prefix); });

  auto* coll = app.add_subcommand("collection", "create, describe or list collections");
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
  create->add_option(
      "--profile", o->profile,
      "de-identification profile: 'default', 'basic', or option names joined by ','");
  create->add_option("--submitter", o->submitter,
                     "who submitted the data (shown in collection.json; default: the owner)");
  create->add_option("--link", o->links, "NAME=URL shown under links in collection.json (repeat)");
  create->footer(
      "Example: obiactl collection create /srv/archive --title 'Brain MR' --disease glioma "
      "--access controlled --owner alice --curators radiology "
      "--link BioProject=https://www.ncbi.nlm.nih.gov/bioproject/PRJNA1");
  create->callback([&rc, o] {
    std::map<std::string, std::string> attrs;
    for (auto [k, v] : {std::pair{"title", &o->title},
                        {"description", &o->description},
                        {"disease", &o->disease},
                        {"keywords", &o->keywords},
                        {"access", &o->access},
                        {"owner", &o->owner},
                        {"curators", &o->curators},
                        {"profile", &o->profile},
                        {"submitter", &o->submitter}})
      if (!v->empty()) attrs[k] = *v;
    auto links = link_attrs(o->links);
    if (!links) {
      rc = fail(links.error().message);
      return;
    }
    for (auto& [k, v] : *links) {
      if (v.empty()) {
        rc = fail("--link " + k.substr(5) + "= has no URL");
        return;
      }
      attrs[k] = v;
    }
    rc = cmd_collection_create(o->archive, attrs);
  });
  // set: the descriptive fields only. Access, owner and curators are policy (grants, requests)
  // and the profile decides how files already archived were de-identified: neither changes here.
  auto* set = coll->add_subcommand("set", "change a collection's description, keywords or links");
  set->add_option("ARCHIVE", o->archive)->required();
  set->add_option("COLLECTION", o->collection, "accession, e.g. OBIA0001")->required();
  auto* title = set->add_option("--title", o->title, "title");
  auto* description = set->add_option("--description", o->description, "description ('' removes)");
  auto* disease = set->add_option("--disease", o->disease, "disease studied ('' removes)");
  auto* keywords =
      set->add_option("--keywords", o->keywords, "comma-separated keywords ('' removes)");
  auto* submitter =
      set->add_option("--submitter", o->submitter, "who submitted the data ('' removes)");
  set->add_option("--link", o->links,
                  "NAME=URL to add or replace a link, NAME= to remove it (repeat)");
  set->footer(
      "Example: obiactl collection set /srv/archive OBIA0001 --description 'Pre-operative MR' "
      "--link BioProject=https://www.ncbi.nlm.nih.gov/bioproject/PRJNA1 --link OldSite=");
  set->callback([&rc, o, title, description, disease, keywords, submitter] {
    std::map<std::string, std::string> attrs;
    for (auto [opt, k, v] : {std::tuple{title, "title", &o->title},
                             {description, "description", &o->description},
                             {disease, "disease", &o->disease},
                             {keywords, "keywords", &o->keywords},
                             {submitter, "submitter", &o->submitter}})
      if (opt->count() > 0) attrs[k] = *v;
    auto links = link_attrs(o->links);
    if (!links) {
      rc = fail(links.error().message);
      return;
    }
    attrs.merge(*links);
    rc = cmd_collection_set(o->archive, o->collection, attrs);
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
  stats
      ->add_option("--html", *html,
                   "write a self-contained HTML report with SVG charts to FILE "
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
  verify->add_flag(
      "--repair", o->repair,
      "remove orphan objects (never touches referenced ones) and recount series totals");
  verify->footer("Example: obiactl verify /srv/archive   (exit 0 when clean)");
  verify->callback([&rc, o] { rc = cmd_verify(o->archive, o->repair); });
}

}  // namespace obia::ctl
