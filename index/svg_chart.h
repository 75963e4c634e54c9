// Bar charts as SVG text, written by hand so that the statistics report needs no JavaScript
// and no library: horizontal bars for named categories, vertical columns for ordered ones.
// The output is well-formed XML, usable inline in HTML or as a standalone .svg file.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace obia::index::svg {

struct Bar {
  std::string label;
  uint64_t value = 0;
  bool muted = false;  // drawn grey (e.g. "unknown")
};

struct ChartStyle {
  std::string colour = "#2563eb";
  std::string unit;   // "images", "individuals": the axis caption
  int width = 520;
};

// Horizontal bars in the given order, value labels at their ends.
std::string bar_chart(const std::string& title, const std::vector<Bar>& bars, const ChartStyle& s);
// Vertical columns in the given order (age bands), value labels on top.
std::string column_chart(const std::string& title, const std::vector<Bar>& bars,
                         const ChartStyle& s);

// Escapes &, <, >, " and ' for XML text and attribute values; drops control characters that
// XML 1.0 does not allow.
std::string escape(std::string_view text);
// 1234567 -> "1,234,567".
std::string thousands(uint64_t v);
// Axis tick labels: 0, 500, 1k, 2.5k, 1M ...
std::string compact(double v);
// Round tick step for an axis reaching `max` with about `ticks` intervals (1, 2, 5 x 10^k).
double nice_step(double max, int ticks);

}  // namespace obia::index::svg
