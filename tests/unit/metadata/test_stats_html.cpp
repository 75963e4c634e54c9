// The HTML report and its SVG charts: well-formed (every tag closed, XML-style), escaped,
// self-contained; the chart arithmetic (ticks, number formats).
#include <gtest/gtest.h>

#include <vector>

#include "index/statistics.h"
#include "index/svg_chart.h"

using namespace obia::index;
using Json = nlohmann::json;

namespace {

// A small XML well-formedness check: tags nest and close, attributes are quoted, and '&'
// only starts an entity. Returns "" when well-formed, else what is wrong.
std::string check_xml(const std::string& doc) {
  std::vector<std::string> open;
  size_t i = 0;
  while (i < doc.size()) {
    char c = doc[i];
    if (c == '&') {
      size_t semi = doc.find(';', i);
      if (semi == std::string::npos || semi - i > 8) return "bare & at " + std::to_string(i);
      i = semi + 1;
      continue;
    }
    if (c != '<') {
      ++i;
      continue;
    }
    if (doc.compare(i, 9, "<!DOCTYPE") == 0) {
      i = doc.find('>', i) + 1;
      continue;
    }
    size_t j = i + 1;
    char quote = 0;
    for (; j < doc.size(); ++j) {
      if (quote) {
        if (doc[j] == quote) quote = 0;
        else if (doc[j] == '<') return "< inside an attribute at " + std::to_string(j);
      } else if (doc[j] == '"' || doc[j] == '\'') {
        quote = doc[j];
      } else if (doc[j] == '>') {
        break;
      }
    }
    if (j >= doc.size()) return "unterminated tag at " + std::to_string(i);
    std::string tag = doc.substr(i + 1, j - i - 1);
    i = j + 1;
    if (tag.empty()) return "empty tag";
    if (tag[0] == '/') {
      std::string name = tag.substr(1);
      if (open.empty() || open.back() != name) return "</" + name + "> closes " + (open.empty() ? "nothing" : open.back());
      open.pop_back();
      continue;
    }
    if (tag.back() == '/') continue;  // self-closing
    std::string name = tag.substr(0, tag.find_first_of(" \n\t"));
    open.push_back(name);
  }
  if (!open.empty()) return "<" + open.back() + "> never closed";
  return "";
}

Json sample() {
  Json t = {{"individuals", 3}, {"studies", 4}, {"series", 5}, {"images", 1234}};
  return {{"schema", "obia-stats/1"},
          {"totals", {{"collections", 2}, {"individuals", 3}, {"studies", 4}, {"series", 5},
                      {"images", 1234}, {"bytes", 5678901}}},
          {"collections",
           {{{"accession", "OBIA0001"}, {"title", "Lungs <&> \"quotes\""}, {"disease", "cancer"},
             {"access", "controlled"}, {"individuals", 3}, {"studies", 4}, {"series", 5},
             {"images", 1234}, {"bytes", 5678901}, {"modalities", {"CT", "MR"}},
             {"submitted", 1300}, {"archived", 1234}, {"duplicates", 60}, {"quarantined", 6}}}},
          {"modality", {{"CT", t}, {"MR", t}, {"unknown", t}}},
          {"bodypart", {{"CHEST", t}, {"AVERYLONGBODYPARTNAMEINDEED", t}}},
          {"sex", {{"F", t}, {"M", t}, {"unknown", t}}},
          {"age_band", {{"0-9", t}, {"50-59", t}, {"90+", t}, {"unknown", t}}}};
}

}  // namespace

TEST(StatsHtml, WellFormedAndSelfContained) {
  std::string html = stats_html(sample());
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  EXPECT_EQ(check_xml(html), "");
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("<link"), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
  EXPECT_NE(html.find("Lungs &lt;&amp;&gt; &quot;quotes&quot;"), std::string::npos);
  EXPECT_NE(html.find("1,234"), std::string::npos);
  EXPECT_NE(html.find("<svg"), std::string::npos);
  EXPECT_NE(html.find("controlled"), std::string::npos);
  // Four charts.
  size_t svgs = 0;
  for (size_t p = html.find("<svg"); p != std::string::npos; p = html.find("<svg", p + 1)) ++svgs;
  EXPECT_EQ(svgs, 4u);
}

TEST(StatsHtml, EmptyArchiveStillRenders) {
  Json empty = {{"schema", "obia-stats/1"},
                {"totals", {{"collections", 0}, {"individuals", 0}, {"studies", 0}, {"series", 0},
                            {"images", 0}, {"bytes", 0}}},
                {"collections", Json::array()}, {"modality", Json::object()},
                {"bodypart", Json::object()}, {"sex", Json::object()}, {"age_band", Json::object()}};
  std::string html = stats_html(empty);
  EXPECT_EQ(check_xml(html), "");
  EXPECT_NE(html.find("Nothing archived yet"), std::string::npos);
}

TEST(StatsHtml, ManyCategoriesAreFolded) {
  Json s = sample();
  for (int i = 0; i < 30; ++i) s["bodypart"]["PART" + std::to_string(i)] = {{"images", i + 1}};
  std::string html = stats_html(s);
  EXPECT_EQ(check_xml(html), "");
  EXPECT_NE(html.find("other ("), std::string::npos);
}

TEST(SvgChart, Charts) {
  svg::ChartStyle st;
  st.unit = "images";
  std::vector<svg::Bar> bars = {{"CT", 1500, false}, {"MR <x>", 20, false}, {"unknown", 0, true}};
  EXPECT_EQ(check_xml(svg::bar_chart("t", bars, st)), "");
  EXPECT_EQ(check_xml(svg::column_chart("t", bars, st)), "");
  EXPECT_NE(svg::bar_chart("t", bars, st).find("MR &lt;x&gt;"), std::string::npos);
  EXPECT_NE(svg::bar_chart("t", {}, st).find("Nothing archived yet"), std::string::npos);
}

TEST(SvgChart, Numbers) {
  EXPECT_EQ(svg::thousands(0), "0");
  EXPECT_EQ(svg::thousands(999), "999");
  EXPECT_EQ(svg::thousands(1000), "1,000");
  EXPECT_EQ(svg::thousands(1234567), "1,234,567");
  EXPECT_EQ(svg::compact(0), "0");
  EXPECT_EQ(svg::compact(500), "500");
  EXPECT_EQ(svg::compact(2500), "2.5k");
  EXPECT_EQ(svg::compact(1000000), "1M");
  EXPECT_EQ(svg::nice_step(7, 4), 2);
  EXPECT_EQ(svg::nice_step(100, 4), 25);
  EXPECT_EQ(svg::nice_step(1234, 4), 500);
  EXPECT_EQ(svg::nice_step(3, 4), 1);
  EXPECT_EQ(svg::escape("a&b<c>\"'\x01"), "a&amp;b&lt;c&gt;&quot;&#39;");
}
