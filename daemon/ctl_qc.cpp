// obiactl quality-control commands (issue 4):
//   qc report ARCHIVE C [--json]        per submission: submitted, archived, duplicates, warnings,
//                                       quarantined by reason; files with warnings
//   qc sheet ARCHIVE PATH [--out DIR]   contact sheet PNGs of a series, or of every series below
//   qc rules ARCHIVE C                  check and show the collection's pixel rules
//   qc set ARCHIVE C --reject-pixel-duplicates yes|no
//   report ARCHIVE C --tags [--out F]   tag report TSV
#include <CLI/CLI.hpp>
#include <ctime>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "daemon/ctl.h"
#include "ingest/contact_sheet.h"
#include "ingest/pixel_rules.h"
#include "ingest/qc_log.h"
#include "ingest/qc_stages.h"
#include "ingest/tag_report.h"

namespace obia::ctl {
namespace {

struct Opts {
  std::string archive, collection, path, out, reject;
  bool json = false, tags = false;
};

std::string iso_time(int64_t t) {
  if (t == 0) return "-";
  std::time_t tt = t;
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string join_counts(const std::map<std::string, uint64_t>& m) {
  std::string s;
  for (const auto& [k, v] : m) s += (s.empty() ? "" : ", ") + k + " " + std::to_string(v);
  return s.empty() ? "-" : s;
}

uint64_t total(const std::map<std::string, uint64_t>& m) {
  uint64_t n = 0;
  for (const auto& [k, v] : m) n += v;
  return n;
}

int cmd_qc_report(const Opts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  auto coll = find_collection(*a, o.collection);
  if (!coll) return fail(coll.error().message);
  auto log = ingest::QcLog::open(*a->catalog);
  if (!log) return fail(log.error().message);
  auto subs = (*log)->submissions(coll->id);
  if (!subs) return fail(subs.error().message);
  auto notes = (*log)->notes(coll->id);
  if (!notes) return fail(notes.error().message);

  ingest::SubmissionCounts sum;
  for (const auto& s : *subs) {
    sum.submitted += s.submitted;
    sum.archived += s.archived;
    sum.duplicates += s.duplicates;
    for (const auto& [k, v] : s.warnings) sum.warnings[k] += v;
    for (const auto& [k, v] : s.quarantined) sum.quarantined[k] += v;
  }
  if (o.json) {
    nlohmann::json j = {{"collection", coll->accession}, {"submissions", nlohmann::json::array()},
                        {"files_with_warnings", nlohmann::json::array()}};
    for (const auto& s : *subs)
      j["submissions"].push_back({{"submission", s.name + (s.folder ? "/" : "")},
                                  {"submitted", s.submitted}, {"archived", s.archived},
                                  {"duplicates", s.duplicates}, {"warnings", s.warnings},
                                  {"quarantined", s.quarantined_total()},
                                  {"quarantined_by_reason", s.quarantined},
                                  {"first", iso_time(s.first)}, {"last", iso_time(s.last)}});
    j["totals"] = {{"submitted", sum.submitted}, {"archived", sum.archived},
                   {"duplicates", sum.duplicates}, {"warnings", sum.warnings},
                   {"quarantined", sum.quarantined_total()}, {"quarantined_by_reason", sum.quarantined}};
    for (const auto& n : *notes) j["files_with_warnings"].push_back({{"path", n.relpath}, {"warnings", n.warnings}});
    std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return 0;
  }
  std::cout << coll->accession << " quality control by submission (inbox/" << coll->accession << "/...)\n";
  std::cout << "submission\tsubmitted\tarchived\tduplicates\twarnings\tquarantined\tby reason\tlast\n";
  for (const auto& s : *subs)
    std::cout << s.name << (s.folder ? "/" : "") << "\t" << s.submitted << "\t" << s.archived << "\t"
              << s.duplicates << "\t" << total(s.warnings) << "\t" << s.quarantined_total() << "\t"
              << join_counts(s.quarantined) << "\t" << iso_time(s.last) << "\n";
  std::cout << "total\t" << sum.submitted << "\t" << sum.archived << "\t" << sum.duplicates << "\t"
            << total(sum.warnings) << "\t" << sum.quarantined_total() << "\t" << join_counts(sum.quarantined)
            << "\t-\n";
  if (!notes->empty()) {
    std::cout << "\nfiles archived with warnings:\n";
    for (const auto& n : *notes)
      for (const auto& w : n.warnings) std::cout << "  " << n.relpath << "\t" << w << "\n";
  }
  if (sum.quarantined_total())
    std::cout << "\nquarantined files and their NAME.reason: MOUNT/quarantine/" << coll->accession
              << "/ (fix and copy into the inbox again)\n";
  return 0;
}

// Series below a node (itself when it is one).
Status collect_series(const index::Catalog& catalog, const index::Node& node, std::vector<index::Node>& out) {
  if (node.kind() == index::Kind::Series) {
    out.push_back(node);
    return {};
  }
  if (node.kind() == index::Kind::Image) return {};
  auto kids = catalog.children(node.id);
  if (!kids) return kids.error();
  for (const auto& k : *kids) OBIA_TRY(collect_series(catalog, k, out));
  return {};
}

// OBIA0001[/I000001[/S00000001[/001_CT]]], optionally behind a mount point.
Result<index::Node> resolve_path(const index::Catalog& catalog, const std::string& path) {
  std::vector<std::string> parts;
  std::stringstream in(path);
  for (std::string p; std::getline(in, p, '/');)
    if (!p.empty() && p != ".") parts.push_back(p);
  size_t start = 0;
  std::optional<index::Node> node;
  for (; start < parts.size(); ++start) {
    auto c = catalog.collection_by_accession(parts[start]);
    if (!c) return c.error();
    if (*c) {
      node = **c;
      break;
    }
  }
  if (!node) return make_error(ENOENT, "no collection accession in " + path);
  for (size_t i = start + 1; i < parts.size(); ++i) {
    auto id = catalog.lookup(node->id, parts[i]);
    if (!id) return id.error();
    if (!*id) return make_error(ENOENT, "no " + parts[i] + " in " + node->name);
    auto n = catalog.get(**id);
    if (!n) return n.error();
    node = *n;
  }
  return *node;
}

std::string series_file_name(const index::Catalog& catalog, const index::Node& series) {
  std::string name = series.name;
  for (index::NodeId id = series.parent; id != 0 && id != index::kRootId;) {
    auto n = catalog.get(id);
    if (!n) break;
    name = n->name + "_" + name;
    id = n->parent;
  }
  return name + ".png";
}

int cmd_qc_sheet(const Opts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  auto node = resolve_path(*a->catalog, o.path);
  if (!node) return fail(node.error().message);
  std::vector<index::Node> series;
  if (auto s = collect_series(*a->catalog, *node, series); !s) return fail(s.error().message);
  if (series.empty()) return fail("no series below " + o.path);
  std::filesystem::path dir = o.out.empty() ? std::filesystem::path(".") : std::filesystem::path(o.out);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  int failures = 0;
  for (size_t i = 0; i < series.size(); ++i) {
    auto png = ingest::contact_sheet_png(*a->catalog, *a->objects, series[i].id);
    const auto file = dir / series_file_name(*a->catalog, series[i]);
    if (!png) {
      std::cerr << "obiactl: " << file.filename().string() << ": " << png.error().message << "\n";
      ++failures;
      continue;
    }
    std::ofstream out(file, std::ios::binary);
    out << *png;
    if (!out) return fail("cannot write " + file.string());
    std::cout << file.string() << "\n";
    if (series.size() > 1) std::cerr << "sheet " << i + 1 << "/" << series.size() << "\r" << std::flush;
  }
  if (series.size() > 1) std::cerr << "\n";
  return failures ? 1 : 0;
}

int cmd_qc_rules(const Opts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  auto coll = find_collection(*a, o.collection);
  if (!coll) return fail(coll.error().message);
  ingest::PixelRuleFiles files(ingest::pixel_rules_dir(a->paths));
  const auto path = ingest::PixelRuleFiles::path_for(ingest::pixel_rules_dir(a->paths), coll->accession);
  auto rules = files.for_collection(coll->accession);
  if (!rules) return fail(rules.error().message);
  std::cout << path.string() << ": " << rules->rules().size() << " rule(s)\n";
  for (const auto& r : rules->rules()) {
    std::cout << "  line " << r.line << ":";
    for (const auto& [k, v] : r.match) std::cout << " " << k << "=" << v;
    std::cout << " ->";
    for (const auto& b : r.boxes) std::cout << " " << b.x << "," << b.y << "," << b.w << "," << b.h;
    std::cout << "\n";
  }
  return 0;
}

int cmd_qc_set(const Opts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  auto coll = find_collection(*a, o.collection);
  if (!coll) return fail(coll.error().message);
  if (o.reject.empty()) return fail("nothing to set (see --help)");
  auto s = a->catalog->update_node_attrs(coll->id, {{"reject_pixel_duplicates", o.reject}});
  if (!s) return fail(s.error().message);
  std::cout << coll->accession << ": reject_pixel_duplicates = " << o.reject << "\n";
  return 0;
}

int cmd_report(const Opts& o) {
  if (!o.tags) return fail("say which report: --tags");
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  auto coll = find_collection(*a, o.collection);
  if (!coll) return fail(coll.error().message);
  std::cerr << "reading the archived objects of " << coll->accession << "...\n";
  auto tsv = ingest::tag_report_tsv(*a->catalog, *a->objects, coll->id);
  if (!tsv) return fail(tsv.error().message);
  if (o.out.empty() || o.out == "-") {
    std::cout << *tsv;
    return 0;
  }
  std::ofstream out(o.out, std::ios::binary);
  out << *tsv;
  if (!out) return fail("cannot write " + o.out);
  std::cerr << "wrote " << o.out << "\n";
  return 0;
}

}  // namespace

void register_qc_commands(CLI::App& app, int& rc) {
  auto o = std::make_shared<Opts>();  // option storage outlives parsing: callbacks run after it

  auto* qc = app.add_subcommand("qc", "quality control: report, contact sheets, pixel rules");
  qc->require_subcommand(1);

  auto* report = qc->add_subcommand("report", "per submission: submitted, archived, duplicates, "
                                               "warnings, quarantined by reason");
  report->add_option("ARCHIVE", o->archive)->required();
  report->add_option("COLLECTION", o->collection, "collection accession, e.g. OBIA0001")->required();
  report->add_flag("--json", o->json, "JSON output");
  report->footer("Example: obiactl qc report /srv/archive OBIA0001");
  report->callback([&rc, o] { rc = cmd_qc_report(*o); });

  auto* sheet = qc->add_subcommand("sheet", "write contact sheet PNGs (one per series)");
  sheet->add_option("ARCHIVE", o->archive)->required();
  sheet->add_option("PATH", o->path, "a series (OBIA0001/I000001/S00000001/001_CT) or anything above it")
      ->required();
  sheet->add_option("--out", o->out, "directory for the PNGs (default: current directory)");
  sheet->footer("Example: obiactl qc sheet /srv/archive OBIA0001/I000001 --out sheets/");
  sheet->callback([&rc, o] { rc = cmd_qc_sheet(*o); });

  auto* rules = qc->add_subcommand("rules", "check and show a collection's pixel rules (ARCHIVE/rules/C.pixel)");
  rules->add_option("ARCHIVE", o->archive)->required();
  rules->add_option("COLLECTION", o->collection)->required();
  rules->footer(
      "Rule file format, one rule per line:\n"
      "  modality=US manufacturer=\"Philips*\" rows=768 columns=1024 : 0,0,1024,24 0,24,300,240\n"
      "Example: obiactl qc rules /srv/archive OBIA0001");
  rules->callback([&rc, o] { rc = cmd_qc_rules(*o); });

  auto* set = qc->add_subcommand("set", "set a collection's QC options");
  set->add_option("ARCHIVE", o->archive)->required();
  set->add_option("COLLECTION", o->collection)->required();
  set->add_option("--reject-pixel-duplicates", o->reject,
                  "yes: quarantine images whose pixels equal an archived image's (default: warn)")
      ->check(CLI::IsMember({"yes", "no"}));
  set->footer("Example: obiactl qc set /srv/archive OBIA0001 --reject-pixel-duplicates yes");
  set->callback([&rc, o] { rc = cmd_qc_set(*o); });

  auto* rep = app.add_subcommand("report", "reports on a collection's archived files");
  rep->add_option("ARCHIVE", o->archive)->required();
  rep->add_option("COLLECTION", o->collection)->required();
  rep->add_flag("--tags", o->tags, "tag report: every element, its distinct values, PHI-like flags (TSV)");
  rep->add_option("--out", o->out, "write to this file instead of standard output");
  rep->footer("Example: obiactl report /srv/archive OBIA0001 --tags > tags.tsv");
  rep->callback([&rc, o] { rc = cmd_report(*o); });
}

}  // namespace obia::ctl
