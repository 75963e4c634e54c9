// obiactl stats: the archive's statistics (index/statistics.h) as a table, as JSON (the same
// document the mount serves as stats.json) or as a self-contained HTML report.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "daemon/ctl.h"
#include "index/statistics.h"

namespace obia::ctl {
namespace {

using Json = nlohmann::json;

uint64_t u(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return 0;
  return it->is_number_unsigned() ? it->get<uint64_t>() : static_cast<uint64_t>(std::max<int64_t>(0, it->get<int64_t>()));
}

void print_row(const std::vector<std::string>& cells, const std::vector<size_t>& widths) {
  for (size_t i = 0; i < cells.size(); ++i) {
    std::string c = cells[i];
    if (i == 0) c.resize(std::max(c.size(), widths[i]), ' ');  // names left, counts right
    else c.insert(0, widths[i] > c.size() ? widths[i] - c.size() : 0, ' ');
    std::cout << c << (i + 1 < cells.size() ? "  " : "\n");
  }
}

// Aligned text: the per-collection table, then one line per facet.
void print_text(const Json& stats) {
  std::vector<std::vector<std::string>> rows = {{"collection", "individuals", "studies", "series",
                                                 "images", "submitted", "duplicates",
                                                 "quarantined"}};
  auto counts = [](const Json& j) {
    return std::vector<std::string>{std::to_string(u(j, "individuals")), std::to_string(u(j, "studies")),
                                    std::to_string(u(j, "series")), std::to_string(u(j, "images"))};
  };
  for (auto& c : stats["collections"]) {
    std::vector<std::string> r = {c.value("accession", "")};
    for (auto& s : counts(c)) r.push_back(s);
    for (const char* k : {"submitted", "duplicates", "quarantined"}) r.push_back(std::to_string(u(c, k)));
    rows.push_back(std::move(r));
  }
  std::vector<std::string> total = {"total"};
  for (auto& s : counts(stats["totals"])) total.push_back(s);
  rows.push_back(total);
  std::vector<size_t> widths(rows[0].size(), 0);
  for (auto& r : rows)
    for (size_t i = 0; i < r.size(); ++i) widths[i] = std::max(widths[i], r[i].size());
  for (auto& r : rows) print_row(r, widths);

  auto facet_line = [&](const char* key, const char* label, const char* level) {
    std::string line = std::string(label) + ":";
    for (auto it = stats[key].begin(); it != stats[key].end(); ++it)
      line += " " + it.key() + " " + std::to_string(u(it.value(), level)) + ",";
    if (line.back() == ',') line.pop_back();
    std::cout << line << "  (" << level << ")\n";
  };
  std::cout << "\n";
  facet_line("modality", "modality", "images");
  facet_line("bodypart", "body part", "images");
  facet_line("sex", "sex", "individuals");
  facet_line("age_band", "age band", "studies");
}

Result<Json> load_stats(const std::string& archive) {
  auto a = open_archive(archive);
  if (!a) return a.error();
  return index::compute_stats(*a->catalog);
}

}  // namespace

int cmd_stats(const std::string& archive, bool json) {
  auto stats = load_stats(archive);
  if (!stats) return fail(stats.error().message);
  if (json) std::cout << stats->dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  else print_text(*stats);
  return 0;
}

int cmd_stats_html(const std::string& archive, const std::string& file) {
  auto stats = load_stats(archive);
  if (!stats) return fail(stats.error().message);
  std::string html = index::stats_html(*stats);
  if (file == "-") {
    std::cout << html;
    return std::cout.good() ? 0 : fail("cannot write the report to stdout");
  }
  // Written beside the target and renamed, so a reader never sees half a report.
  std::string tmp = file + ".tmp." + std::to_string(::getpid());
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << html;
    out.close();
    if (!out) {
      std::remove(tmp.c_str());
      return fail("cannot write " + file);
    }
  }
  if (std::rename(tmp.c_str(), file.c_str()) != 0) {
    std::remove(tmp.c_str());
    return fail("cannot write " + file);
  }
  std::cerr << "obiactl: wrote " << file << " (" << html.size() << " bytes)\n";
  return 0;
}

}  // namespace obia::ctl
