// obiactl metadata commands: `clinical import` (index/clinical.h), wired to the archive's
// secret through deid/'s keyed functions. Messages never contain a local patient ID or a cell.
#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "daemon/ctl.h"
#include "deid/date_shift.h"
#include "deid/keyed_hash.h"
#include "index/clinical.h"

namespace obia::ctl {
namespace {

namespace cl = index::clinical;

struct ClinicalOpts {
  std::string archive, collection, file, id_column;
  std::vector<std::string> drop, allow, rename;
  bool dry_run = false, json = false;
};

std::string lines_list(const std::vector<size_t>& lines) {
  std::string s;
  for (size_t i = 0; i < lines.size() && i < 20; ++i) s += (i ? ", " : "") + std::to_string(lines[i]);
  if (lines.size() > 20) s += ", ... (" + std::to_string(lines.size() - 20) + " more)";
  return s;
}

void print_plan(const cl::ImportReport& r) {
  size_t width = 0;
  for (auto& p : r.columns) width = std::max(width, p.column.size());
  for (auto& p : r.columns) {
    std::string name = p.column;
    name.resize(std::max(width, name.size()), ' ');
    std::string what;
    switch (p.action) {
      case cl::Action::Id: what = "ID      " + p.reason; break;
      case cl::Action::Keep: what = "->      " + p.key; break;
      case cl::Action::BirthDate: what = "-> age  age in years at the first study (the birth date is not stored)"; break;
      case cl::Action::Date: what = "->      " + p.key + " (shifted by the individual's date offset)"; break;
      case cl::Action::Drop: what = "dropped"; break;
      case cl::Action::Refuse: what = "REFUSED " + p.reason; break;
    }
    std::cout << "  " << name << "  " << what << "\n";
  }
}

int run_import(const ClinicalOpts& o) {
  auto a = open_archive(o.archive);
  if (!a) return fail(a.error().message);
  auto secret = store::load_secret(a->paths);
  if (!secret) return fail(secret.error().message);
  auto table = index::csv::read_file(o.file);
  if (!table) return fail(table.error().message);

  cl::ImportOptions opts;
  opts.collection = o.collection;
  opts.dry_run = o.dry_run;
  opts.columns.id_column = o.id_column;
  opts.columns.drop.insert(o.drop.begin(), o.drop.end());
  opts.columns.allow.insert(o.allow.begin(), o.allow.end());
  for (auto& r : o.rename) {
    size_t eq = r.find('=');
    if (eq == std::string::npos || eq == 0 || eq + 1 == r.size())
      return fail("--rename takes COLUMN=NAME");
    opts.columns.rename[r.substr(0, eq)] = r.substr(eq + 1);
  }
  for (auto& c : o.drop)
    if (table->column(c) < 0) return fail("--drop: no column \"" + c + "\" in " + o.file);
  const deid::Secret& key = *secret;
  cl::Keying keying{
      [&key](std::string_view id) { return deid::keyed_hash(key, "patient", id); },
      [&key](std::string_view id) { return deid::date_offset_days(key, id); }};

  auto report = cl::import_table(*a->catalog, *table, opts, keying);
  if (!report) return fail(report.error().message);
  if (o.json) {
    std::cout << report->to_json().dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    std::cout << o.collection << ": " << report->rows << " rows, " << report->matched
              << " matched to individuals\n";
    print_plan(*report);
  }
  if (!report->unmatched_lines.empty())
    std::cerr << "obiactl: " << report->unmatched_lines.size()
              << (report->unmatched_lines.size() == 1 ? " row matches" : " rows match")
              << " no individual of " << o.collection << " ("
              << (report->unmatched_lines.size() == 1 ? "line " : "lines ")
              << lines_list(report->unmatched_lines) << ")\n";
  if (report->refused()) {
    size_t n = 0;
    for (auto& p : report->columns)
      if (p.action == cl::Action::Refuse) {
        ++n;
        std::cerr << "obiactl: column \"" << p.column << "\" refused: " << p.reason << "\n";
      }
    return fail(std::to_string(n) + (n == 1 ? " column" : " columns") +
                " refused; nothing imported (leave them out with --drop COLUMN)");
  }
  if (report->ages_unknown)
    std::cerr << "obiactl: no age for " << report->ages_unknown
              << " individual(s) (no study date, or the birth date is after it)\n";
  if (report->ages_differing_from_dicom)
    std::cerr << "obiactl: for " << report->ages_differing_from_dicom
              << " individual(s) the age from the birth date replaces a different age from "
                 "PatientAge\n";
  if (!o.json) {
    if (o.dry_run) std::cout << "dry run: nothing written\n";
    else std::cout << "updated " << report->individuals_updated << " individuals\n";
  }
  return 0;
}

}  // namespace

void register_metadata_commands(CLI::App& app, int& rc) {
  auto o = std::make_shared<ClinicalOpts>();
  auto* clinical = app.add_subcommand("clinical", "clinical data of individuals");
  clinical->require_subcommand(1);
  auto* imp = clinical->add_subcommand(
      "import", "import a CSV/TSV table keyed by the local patient ID into a collection's individuals");
  imp->add_option("ARCHIVE", o->archive)->required();
  imp->add_option("COLLECTION", o->collection, "collection accession, e.g. OBIA0001")->required();
  imp->add_option("FILE", o->file, "table: .csv (RFC 4180) or .tsv")->required()->check(CLI::ExistingFile);
  imp->add_option("--id-column", o->id_column,
                  "column holding the local PatientID (as in the submitted DICOM files); it is "
                  "matched through the keyed hash and never stored")
      ->required();
  // One value per occurrence (repeat the option), so a value never swallows the positionals.
  imp->add_option("--drop", o->drop, "leave this column out (repeatable)")
      ->type_name("COLUMN")
      ->allow_extra_args(false);
  imp->add_option("--allow", o->allow,
                  "import a column refused on a value heuristic after checking it holds no "
                  "identifiers (repeatable)")
      ->type_name("COLUMN")
      ->allow_extra_args(false);
  imp->add_option("--rename", o->rename, "store COLUMN under another name (repeatable)")
      ->type_name("COLUMN=NAME")
      ->allow_extra_args(false);
  imp->add_flag("--dry-run", o->dry_run, "check and report, write nothing");
  imp->add_flag("--json", o->json, "report as JSON");
  imp->footer(
      "Columns holding names, addresses, phone numbers, emails, IDs or exact dates are refused\n"
      "(nothing is imported) unless dropped; a birth date becomes the age at the first study and\n"
      "other dates are shifted like the images' dates. Values are stored as clinical.<column>.\n"
      "Example: obiactl clinical import /srv/archive OBIA0001 clinical.tsv --id-column PatientID "
      "--drop Name --dry-run");
  imp->callback([&rc, o] { rc = run_import(*o); });
}

}  // namespace obia::ctl
