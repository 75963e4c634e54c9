// SVG bar and column charts: layout arithmetic (label widths, nice ticks) and markup.
#include "index/svg_chart.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

namespace obia::index::svg {
namespace {

constexpr const char* kFont =
    "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', 'DejaVu Sans', Arial, sans-serif";
constexpr const char* kInk = "#1f2937";
constexpr const char* kSubtle = "#6b7280";
constexpr const char* kGrid = "#e5e7eb";
constexpr const char* kMuted = "#9ca3af";

// Text is measured without a font engine, from rough advance widths of sans-serif glyphs
// (capitals are wide, 'i' and punctuation narrow); it errs on the wide side, which only leaves
// a little more room.
double text_width(std::string_view s, double font_px) {
  double em = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: same glyph
    if (c >= 'A' && c <= 'Z') em += (c == 'I' ? 0.35 : c == 'M' || c == 'W' ? 0.9 : 0.72);
    else if (c >= '0' && c <= '9') em += 0.62;
    else if (c == 'i' || c == 'l' || c == 'j' || c == 'f' || c == 't' || c == 'r') em += 0.38;
    else if (c == 'm' || c == 'w') em += 0.9;
    else if (c >= 'a' && c <= 'z') em += 0.6;
    else if (c == ' ' || c == '.' || c == ',' || c == '-' || c == '(' || c == ')') em += 0.38;
    else em += 0.7;
  }
  return em * font_px;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

// Long labels are shortened on the axis; the full one stays in the bar's tooltip.
std::string fit_label(const std::string& label, size_t max_glyphs) {
  if (label.size() <= max_glyphs) return label;
  return label.substr(0, max_glyphs - 1) + "\xE2\x80\xA6";
}

std::string open_svg(const std::string& title, int width, int height) {
  std::string id = "t" + std::to_string(std::hash<std::string>{}(title) % 1000000);
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" width=\"" +
         std::to_string(width) + "\" height=\"" + std::to_string(height) + "\" viewBox=\"0 0 " +
         std::to_string(width) + " " + std::to_string(height) +
         "\" role=\"img\" aria-labelledby=\"" + id + "\" font-family=\"" + kFont +
         "\" font-size=\"12\"><title id=\"" + id + "\">" + escape(title) + "</title>\n";
}

std::string empty_chart(const std::string& title, const ChartStyle& s) {
  return open_svg(title, s.width, 80) + "<text x=\"" + std::to_string(s.width / 2) +
         "\" y=\"44\" text-anchor=\"middle\" fill=\"" + kSubtle +
         "\" font-size=\"13\">Nothing archived yet</text>\n</svg>";
}

uint64_t max_value(const std::vector<Bar>& bars) {
  uint64_t m = 0;
  for (auto& b : bars) m = std::max(m, b.value);
  return m;
}

}  // namespace

std::string escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    switch (ch) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') break;  // not allowed in XML
        out.push_back(ch);
    }
  }
  return out;
}

std::string thousands(uint64_t v) {
  std::string digits = std::to_string(v), out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out.push_back(',');
    out.push_back(digits[i]);
  }
  return out;
}

std::string compact(double v) {
  if (v >= 1e9) return num(v / 1e9) + "G";
  if (v >= 1e6) return num(v / 1e6) + "M";
  if (v >= 1e3) return num(v / 1e3) + "k";
  return num(v);
}

double nice_step(double max, int ticks) {
  if (max <= 0) return 1;
  double raw = max / std::max(ticks, 1);
  double mag = std::pow(10.0, std::floor(std::log10(raw)));
  double f = raw / mag;
  double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 2.5 ? 2.5 : f <= 5 ? 5 : 10) * mag;
  return std::max(step, 1.0);  // counts: never a fractional step
}

std::string bar_chart(const std::string& title, const std::vector<Bar>& bars, const ChartStyle& s) {
  if (bars.empty() || max_value(bars) == 0) return empty_chart(title, s);
  constexpr double kRow = 26, kBar = 18, kTop = 8, kAxis = 40;
  double label_w = 0;
  for (auto& b : bars) label_w = std::max(label_w, text_width(fit_label(b.label, 18), 12));
  double left = std::ceil(label_w) + 14;
  double value_w = text_width(thousands(max_value(bars)), 12) + 12;
  double plot_w = s.width - left - value_w - 8;
  double step = nice_step(static_cast<double>(max_value(bars)), 4);
  double axis_max = std::ceil(static_cast<double>(max_value(bars)) / step) * step;
  double plot_h = kRow * static_cast<double>(bars.size());
  int height = static_cast<int>(kTop + plot_h + kAxis);
  std::string o = open_svg(title, s.width, height);

  // Grid lines and tick labels first, so the bars sit on top of them.
  for (double t = 0; t <= axis_max + step / 2; t += step) {
    double x = left + plot_w * t / axis_max;
    o += "<line x1=\"" + num(x) + "\" y1=\"" + num(kTop) + "\" x2=\"" + num(x) + "\" y2=\"" +
         num(kTop + plot_h) + "\" stroke=\"" + kGrid + "\"/>";
    o += "<text x=\"" + num(x) + "\" y=\"" + num(kTop + plot_h + 16) +
         "\" text-anchor=\"middle\" fill=\"" + kSubtle + "\" font-size=\"11\">" + compact(t) +
         "</text>\n";
  }
  o += "<text x=\"" + num(left + plot_w / 2) + "\" y=\"" + num(kTop + plot_h + 34) +
       "\" text-anchor=\"middle\" fill=\"" + kSubtle + "\" font-size=\"11\">" + escape(s.unit) +
       "</text>\n";
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double y = kTop + kRow * static_cast<double>(i) + (kRow - kBar) / 2;
    double w = std::max(plot_w * static_cast<double>(b.value) / axis_max, b.value ? 2.0 : 0.0);
    o += "<g><title>" + escape(b.label) + ": " + thousands(b.value) + " " + escape(s.unit) +
         "</title>";
    o += "<text x=\"" + num(left - 8) + "\" y=\"" + num(y + kBar / 2 + 4) +
         "\" text-anchor=\"end\" fill=\"" + kInk + "\">" + escape(fit_label(b.label, 18)) +
         "</text>";
    o += "<rect x=\"" + num(left) + "\" y=\"" + num(y) + "\" width=\"" + num(w) + "\" height=\"" +
         num(kBar) + "\" rx=\"3\" fill=\"" + (b.muted ? kMuted : s.colour) + "\"/>";
    o += "<text x=\"" + num(left + w + 6) + "\" y=\"" + num(y + kBar / 2 + 4) + "\" fill=\"" +
         kInk + "\" font-weight=\"600\">" + thousands(b.value) + "</text></g>\n";
  }
  o += "<line x1=\"" + num(left) + "\" y1=\"" + num(kTop) + "\" x2=\"" + num(left) + "\" y2=\"" +
       num(kTop + plot_h) + "\" stroke=\"" + kSubtle + "\"/>\n</svg>";
  return o;
}

std::string column_chart(const std::string& title, const std::vector<Bar>& bars,
                         const ChartStyle& s) {
  if (bars.empty() || max_value(bars) == 0) return empty_chart(title, s);
  constexpr double kTop = 22, kPlotH = 180, kBottom = 46;
  double step = nice_step(static_cast<double>(max_value(bars)), 4);
  double axis_max = std::ceil(static_cast<double>(max_value(bars)) / step) * step;
  double left = text_width(compact(axis_max), 11) + 14;
  double plot_w = s.width - left - 8;
  double slot = plot_w / static_cast<double>(bars.size());
  double col_w = std::min(slot * 0.72, 56.0);
  int height = static_cast<int>(kTop + kPlotH + kBottom);
  std::string o = open_svg(title, s.width, height);

  for (double t = 0; t <= axis_max + step / 2; t += step) {
    double y = kTop + kPlotH - kPlotH * t / axis_max;
    o += "<line x1=\"" + num(left) + "\" y1=\"" + num(y) + "\" x2=\"" + num(left + plot_w) +
         "\" y2=\"" + num(y) + "\" stroke=\"" + kGrid + "\"/>";
    o += "<text x=\"" + num(left - 6) + "\" y=\"" + num(y + 4) + "\" text-anchor=\"end\" fill=\"" +
         kSubtle + "\" font-size=\"11\">" + compact(t) + "</text>\n";
  }
  // Labels are rotated when they would collide.
  double widest = 0;
  for (auto& b : bars) widest = std::max(widest, text_width(b.label, 11));
  bool rotate = widest > slot - 4;
  for (size_t i = 0; i < bars.size(); ++i) {
    const Bar& b = bars[i];
    double cx = left + slot * (static_cast<double>(i) + 0.5);
    double h = std::max(kPlotH * static_cast<double>(b.value) / axis_max, b.value ? 2.0 : 0.0);
    double y = kTop + kPlotH - h;
    o += "<g><title>" + escape(b.label) + ": " + thousands(b.value) + " " + escape(s.unit) +
         "</title>";
    o += "<rect x=\"" + num(cx - col_w / 2) + "\" y=\"" + num(y) + "\" width=\"" + num(col_w) +
         "\" height=\"" + num(h) + "\" rx=\"3\" fill=\"" + (b.muted ? kMuted : s.colour) + "\"/>";
    o += "<text x=\"" + num(cx) + "\" y=\"" + num(y - 5) + "\" text-anchor=\"middle\" fill=\"" +
         kInk + "\" font-weight=\"600\" font-size=\"11\">" + compact(static_cast<double>(b.value)) +
         "</text>";
    double ly = kTop + kPlotH + 16;
    if (rotate)
      o += "<text transform=\"translate(" + num(cx + 4) + "," + num(ly - 6) +
           ") rotate(-35)\" text-anchor=\"end\" fill=\"" + kInk + "\" font-size=\"11\">" +
           escape(b.label) + "</text></g>\n";
    else
      o += "<text x=\"" + num(cx) + "\" y=\"" + num(ly) + "\" text-anchor=\"middle\" fill=\"" +
           kInk + "\" font-size=\"11\">" + escape(b.label) + "</text></g>\n";
  }
  o += "<line x1=\"" + num(left) + "\" y1=\"" + num(kTop + kPlotH) + "\" x2=\"" +
       num(left + plot_w) + "\" y2=\"" + num(kTop + kPlotH) + "\" stroke=\"" + kSubtle + "\"/>";
  o += "<text x=\"" + num(left + plot_w / 2) + "\" y=\"" + num(kTop + kPlotH + 40) +
       "\" text-anchor=\"middle\" fill=\"" + kSubtle + "\" font-size=\"11\">" + escape(s.unit) +
       "</text>\n</svg>";
  return o;
}

}  // namespace obia::index::svg
