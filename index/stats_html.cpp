// stats_html(): the statistics report as one self-contained HTML5 page (XHTML-compatible
// syntax, so XML parsers accept it too): summary figures, a Table 1-style collection table,
// ingest counters and SVG bar charts from svg_chart.cpp.
#include <algorithm>
#include <cstdio>
#include <string>
#include <vector>

#include "index/statistics.h"
#include "index/svg_chart.h"

namespace obia::index {
namespace {

using svg::escape;
using svg::thousands;
using Json = nlohmann::json;

// One palette for the whole page: each chart has its own hue, "unknown" is always grey.
constexpr const char* kModality = "#2563eb";
constexpr const char* kBodypart = "#0d9488";
constexpr const char* kSex = "#7c3aed";
constexpr const char* kAge = "#d97706";
constexpr size_t kMaxBars = 12;  // the rest are summed into one "other" bar

constexpr const char* kStyle = R"(
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; background: #f6f7f9; color: #1f2937;
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "DejaVu Sans", Arial, sans-serif; }
main { max-width: 1140px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 28px; margin: 0 0 4px; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 36px 0 12px; }
h3 { font-size: 15px; margin: 0 0 2px; }
p.lead { margin: 0 0 24px; color: #4b5563; }
p.note { margin: 0 0 10px; color: #6b7280; font-size: 13px; }
.figures { display: grid; grid-template-columns: repeat(auto-fit, minmax(150px, 1fr)); gap: 12px; }
.figure { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 14px 16px; }
.figure b { display: block; font-size: 24px; font-variant-numeric: tabular-nums; }
.figure span { color: #6b7280; font-size: 13px; text-transform: uppercase; letter-spacing: 0.04em; }
.card { background: #fff; border: 1px solid #e5e7eb; border-radius: 10px; padding: 18px 20px;
  box-shadow: 0 1px 2px rgba(0,0,0,0.04); overflow-x: auto; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(520px, 1fr)); gap: 16px; }
svg.chart { display: block; max-width: 100%; height: auto; margin-top: 8px; }
table { border-collapse: collapse; width: 100%; font-size: 14px; }
th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: 0.04em;
  color: #6b7280; font-weight: 600; border-bottom: 2px solid #e5e7eb; padding: 8px 10px; }
td { padding: 8px 10px; border-bottom: 1px solid #f0f1f3; vertical-align: top; }
tbody tr:nth-child(even) td { background: #fafbfc; }
tfoot td { font-weight: 700; border-top: 2px solid #e5e7eb; border-bottom: none; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.acc { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, monospace; font-size: 13px; white-space: nowrap; }
.pill { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 12px; font-weight: 600; }
.open { background: #dcfce7; color: #166534; }
.controlled { background: #fef3c7; color: #92400e; }
footer { margin-top: 32px; color: #9ca3af; font-size: 12px; }
)";

uint64_t u(const Json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return 0;
  return it->is_number_unsigned() ? it->get<uint64_t>() : static_cast<uint64_t>(std::max<int64_t>(0, it->get<int64_t>()));
}
std::string s(const Json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string human_bytes(uint64_t b) {
  const char* units[] = {"B", "kB", "MB", "GB", "TB", "PB"};
  double v = static_cast<double>(b);
  int i = 0;
  while (v >= 1000 && i < 5) {
    v /= 1000;
    ++i;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, i == 0 ? "%.0f %s" : "%.1f %s", v, units[i]);
  return buf;
}

std::string td_num(uint64_t v) { return "<td class=\"num\">" + thousands(v) + "</td>"; }

// Bars of one facet for one level, largest first, "unknown" last, the tail folded into one.
std::vector<svg::Bar> ranked(const Json& facet, const char* level) {
  std::vector<svg::Bar> bars;
  svg::Bar unknown{"unknown", 0, true};
  if (facet.is_object())
    for (auto it = facet.begin(); it != facet.end(); ++it) {
      if (it.key() == "unknown") unknown.value = u(it.value(), level);
      else bars.push_back({it.key(), u(it.value(), level), false});
    }
  std::stable_sort(bars.begin(), bars.end(),
                   [](const svg::Bar& a, const svg::Bar& b) { return a.value > b.value; });
  if (bars.size() > kMaxBars) {
    svg::Bar other{"other (" + std::to_string(bars.size() - kMaxBars + 1) + ")", 0, true};
    for (size_t i = kMaxBars - 1; i < bars.size(); ++i) other.value += bars[i].value;
    bars.resize(kMaxBars - 1);
    bars.push_back(other);
  }
  if (unknown.value) bars.push_back(unknown);
  return bars;
}

// Sex in the order F, M, O, anything else, unknown; with readable names.
std::vector<svg::Bar> sexes(const Json& facet) {
  std::vector<svg::Bar> bars;
  auto add = [&](const std::string& key, const std::string& label, bool muted) {
    if (facet.contains(key)) bars.push_back({label, u(facet[key], "individuals"), muted});
  };
  add("F", "Female", false);
  add("M", "Male", false);
  add("O", "Other", false);
  if (facet.is_object())
    for (auto it = facet.begin(); it != facet.end(); ++it)
      if (it.key() != "F" && it.key() != "M" && it.key() != "O" && it.key() != "unknown")
        bars.push_back({it.key(), u(it.value(), "individuals"), false});
  add("unknown", "Unknown", true);
  return bars;
}

// Age bands in age order, every band shown (an empty band is information too) up to the
// oldest one present.
std::vector<svg::Bar> ages(const Json& facet) {
  std::vector<svg::Bar> bars;
  int highest = -1;
  for (int y = 0; y <= 90; y += 10)
    if (facet.contains(age_band(y))) highest = y;
  for (int y = 0; y <= highest; y += 10)
    bars.push_back({age_band(y), facet.contains(age_band(y)) ? u(facet[age_band(y)], "studies") : 0,
                    false});
  if (facet.contains("unknown")) bars.push_back({"unknown", u(facet["unknown"], "studies"), true});
  return bars;
}

std::string chart_card(const std::string& title, const std::string& note, const std::string& svg) {
  return "<section class=\"card\"><h3>" + escape(title) + "</h3><p class=\"note\">" +
         escape(note) + "</p>\n" + svg + "\n</section>\n";
}

std::string figures(const Json& totals) {
  std::string o = "<div class=\"figures\">";
  for (auto [key, label] : {std::pair{"collections", "collections"}, {"individuals", "individuals"},
                            {"studies", "studies"}, {"series", "series"}, {"images", "images"}})
    o += "<div class=\"figure\"><b>" + thousands(u(totals, key)) + "</b><span>" + label +
         "</span></div>";
  o += "<div class=\"figure\"><b>" + human_bytes(u(totals, "bytes")) +
       "</b><span>stored</span></div></div>\n";
  return o;
}

std::string table1(const Json& stats) {
  std::string o =
      "<div class=\"card\"><table><thead><tr><th>Accession</th><th>Title</th><th>Disease</th>"
      "<th>Access</th><th>Modalities</th><th class=\"num\">Individuals</th>"
      "<th class=\"num\">Studies</th><th class=\"num\">Series</th><th class=\"num\">Images</th>"
      "<th class=\"num\">Size</th></tr></thead>\n<tbody>\n";
  for (auto& c : stats.value("collections", Json::array())) {
    std::string access = s(c, "access") == "controlled" ? "controlled" : "open";
    std::string mods;
    for (auto& m : c.value("modalities", Json::array()))
      if (m.is_string()) mods += (mods.empty() ? "" : ", ") + m.get<std::string>();
    o += "<tr><td class=\"acc\">" + escape(s(c, "accession")) + "</td><td>" +
         escape(s(c, "title")) + "</td><td>" + escape(s(c, "disease")) +
         "</td><td><span class=\"pill " + access + "\">" + access + "</span></td><td>" +
         escape(mods) + "</td>" + td_num(u(c, "individuals")) + td_num(u(c, "studies")) +
         td_num(u(c, "series")) + td_num(u(c, "images")) + "<td class=\"num\">" +
         human_bytes(u(c, "bytes")) + "</td></tr>\n";
  }
  const Json& t = stats.value("totals", Json::object());
  o += "</tbody><tfoot><tr><td colspan=\"5\">Total</td>" + td_num(u(t, "individuals")) +
       td_num(u(t, "studies")) + td_num(u(t, "series")) + td_num(u(t, "images")) +
       "<td class=\"num\">" + human_bytes(u(t, "bytes")) + "</td></tr></tfoot></table></div>\n";
  return o;
}

std::string ingest_table(const Json& stats) {
  std::string o =
      "<div class=\"card\"><table><thead><tr><th>Accession</th><th class=\"num\">Submitted</th>"
      "<th class=\"num\">Archived</th><th class=\"num\">Duplicates</th>"
      "<th class=\"num\">Quarantined</th></tr></thead>\n<tbody>\n";
  for (auto& c : stats.value("collections", Json::array()))
    o += "<tr><td class=\"acc\">" + escape(s(c, "accession")) + "</td>" + td_num(u(c, "submitted")) +
         td_num(u(c, "archived")) + td_num(u(c, "duplicates")) + td_num(u(c, "quarantined")) +
         "</tr>\n";
  return o + "</tbody></table></div>\n";
}

}  // namespace

std::string stats_html(const Json& stats) {
  const Json& totals = stats.value("totals", Json::object());
  auto style = [](const char* colour, const char* unit) {
    svg::ChartStyle st;
    st.colour = colour;
    st.unit = unit;
    return st;
  };
  std::string o =
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n"
      "<title>Archive statistics</title>\n<style>" +
      std::string(kStyle) + "</style>\n</head>\n<body>\n<main>\n<h1>Archive statistics</h1>\n";
  o += "<p class=\"lead\">" + thousands(u(totals, "images")) + " de-identified images in " +
       thousands(u(totals, "series")) + " series of " + thousands(u(totals, "studies")) +
       " studies, from " + thousands(u(totals, "individuals")) + " individuals in " +
       thousands(u(totals, "collections")) + " collections.</p>\n";
  o += figures(totals);
  o += "<h2>Collections</h2>\n" + table1(stats);
  o += "<h2>Images</h2>\n<div class=\"charts\">\n";
  o += chart_card("By modality", "Images per DICOM Modality.",
                  svg::bar_chart("Images by modality", ranked(stats.value("modality", Json{}), "images"),
                                 style(kModality, "images")));
  o += chart_card("By body part", "Images per Body Part Examined.",
                  svg::bar_chart("Images by body part",
                                 ranked(stats.value("bodypart", Json{}), "images"),
                                 style(kBodypart, "images")));
  o += "</div>\n<h2>Individuals</h2>\n<div class=\"charts\">\n";
  o += chart_card("By sex", "Individuals per Patient's Sex.",
                  svg::bar_chart("Individuals by sex", sexes(stats.value("sex", Json{})),
                                 style(kSex, "individuals")));
  o += chart_card("By age at study", "Studies per ten-year band of Patient's Age.",
                  svg::column_chart("Studies by age band", ages(stats.value("age_band", Json{})),
                                    style(kAge, "studies")));
  o += "</div>\n<h2>Ingest</h2>\n<p class=\"note\">Files submitted to each collection's inbox "
       "and what became of them.</p>\n" +
       ingest_table(stats);
  o += "<footer>OBIA statistics report, " + escape(s(stats, "schema")) +
       ". The same numbers are in stats.json at the root of the mount.</footer>\n"
       "</main>\n</body>\n</html>\n";
  return o;
}

}  // namespace obia::index
