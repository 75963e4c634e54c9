// Calendar arithmetic for DA/DT shifting, on std::chrono's proleptic Gregorian calendar.
#include "deid/date_shift.h"

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace obia::deid {
namespace {

using std::chrono::day;
using std::chrono::month;
using std::chrono::sys_days;
using std::chrono::year;
using std::chrono::year_month_day;

bool all_digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

int number(std::string_view digits) {
  int v = 0;
  for (char c : digits) v = v * 10 + (c - '0');
  return v;
}

std::string_view trim_spaces(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  return s;
}

// Shifts y-m-d by `days` and prints it as YYYYMMDD; nullopt for impossible dates or years that
// would leave four digits.
std::optional<std::string> shift_ymd(int y, int m, int d, int days) {
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(m)}, day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  const year_month_day shifted{sys_days{ymd} + std::chrono::days{days}};
  const int sy = static_cast<int>(shifted.year());
  if (sy < 1 || sy > 9999) return std::nullopt;
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d%02u%02u", sy, static_cast<unsigned>(shifted.month()),
                static_cast<unsigned>(shifted.day()));
  return std::string(buf, 8);
}

std::optional<std::string> shift_one_date(std::string_view v, int days) {
  if (v.size() == 10 && v[4] == '.' && v[7] == '.') {  // ACR-NEMA YYYY.MM.DD
    const std::string_view y = v.substr(0, 4), m = v.substr(5, 2), d = v.substr(8, 2);
    if (!all_digits(y) || !all_digits(m) || !all_digits(d)) return std::nullopt;
    return shift_ymd(number(y), number(m), number(d), days);
  }
  if (v.size() != 8 || !all_digits(v)) return std::nullopt;
  return shift_ymd(number(v.substr(0, 4)), number(v.substr(4, 2)), number(v.substr(6, 2)), days);
}

std::optional<std::string> shift_one_datetime(std::string_view v, int days) {
  std::size_t n = 0;
  while (n < v.size() && v[n] >= '0' && v[n] <= '9') ++n;
  if (n < 4 || n > 14 || n % 2 != 0) return std::nullopt;
  std::string_view rest = v.substr(n);
  // Whatever follows the digits must be a fraction (only after seconds) and/or a UTC offset.
  std::string_view tail = rest;
  if (!tail.empty() && tail.front() == '.') {
    if (n != 14) return std::nullopt;
    std::size_t f = 1;
    while (f < tail.size() && tail[f] >= '0' && tail[f] <= '9') ++f;
    if (f == 1 || f > 7) return std::nullopt;
    tail.remove_prefix(f);
  }
  if (!tail.empty()) {
    if (tail.size() != 5 || (tail[0] != '+' && tail[0] != '-') || !all_digits(tail.substr(1))) {
      return std::nullopt;
    }
  }
  const int y = number(v.substr(0, 4));
  const int m = n >= 6 ? number(v.substr(4, 2)) : 1;
  const int d = n >= 8 ? number(v.substr(6, 2)) : 1;
  auto date = shift_ymd(y, m, d, days);
  if (!date) return std::nullopt;
  std::string out = date->substr(0, n < 8 ? n : 8);
  out.append(v.substr(n < 8 ? n : 8, n < 8 ? 0 : n - 8));  // hours..seconds, unchanged
  out.append(rest);
  return out;
}

using OneShift = std::optional<std::string> (*)(std::string_view, int);

// A range "A-B" (either side may be empty, not both); the dash is tried at every position so
// that a DT's "-HHMM" UTC offset is not mistaken for the range separator.
std::optional<std::string> shift_component(std::string_view v, int days, OneShift one) {
  v = trim_spaces(v);
  if (v.empty()) return std::string();
  if (auto single = one(v, days)) return single;
  for (std::size_t p = v.find('-'); p != std::string_view::npos; p = v.find('-', p + 1)) {
    const std::string_view a = v.substr(0, p), b = v.substr(p + 1);
    if (a.empty() && b.empty()) break;
    auto sa = a.empty() ? std::optional<std::string>("") : one(a, days);
    auto sb = b.empty() ? std::optional<std::string>("") : one(b, days);
    if (sa && sb) return *sa + "-" + *sb;
  }
  return std::nullopt;
}

std::optional<std::string> shift_values(std::string_view value, int days, OneShift one) {
  std::string out;
  while (true) {
    const auto sep = value.find('\\');
    auto part = shift_component(value.substr(0, sep), days, one);
    if (!part) return std::nullopt;
    out.append(*part);
    if (sep == std::string_view::npos) break;
    out.push_back('\\');
    value.remove_prefix(sep + 1);
  }
  return out;
}

}  // namespace

int date_offset_days(const Secret& secret, std::string_view patient_id) {
  const Digest d = keyed_hash(secret, "date-offset", patient_id);
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | d[static_cast<std::size_t>(i)];
  return -(1 + static_cast<int>(v % kMaxDateShiftDays));
}

std::optional<std::string> shift_date_value(std::string_view value, int days) {
  return shift_values(value, days, &shift_one_date);
}

std::optional<std::string> shift_datetime_value(std::string_view value, int days) {
  return shift_values(value, days, &shift_one_datetime);
}

}  // namespace obia::deid
