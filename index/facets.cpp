// Facet index maintenance and queries.
#include "index/facets.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>

namespace obia::index {
namespace {

std::string be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>(v >> (56 - 8 * i));
  return s;
}
uint64_t from_be64(std::string_view s) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < s.size(); ++i) v = (v << 8) | static_cast<uint8_t>(s[i]);
  return v;
}
std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  return s;
}
std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}
std::string entry_key(const std::string& key, const std::string& value, NodeId series) {
  return key + '\0' + value + '\0' + be64(series);
}
bool coded(const std::string& key) {
  return key == "modality" || key == "bodypart" || key == "sex" || key == "accession" ||
         key == "collection";
}

}  // namespace

const std::vector<std::string> kBaseFacets = {"collection", "modality",     "bodypart",
                                              "sex",        "age",          "disease",
                                              "manufacturer", "studyyear", "accession"};

int age_years(const std::string& a) {
  if (a.size() < 2) return -1;
  int n = 0;
  size_t i = 0;
  for (; i < a.size() && std::isdigit(static_cast<unsigned char>(a[i])); ++i) n = n * 10 + (a[i] - '0');
  if (i == 0) return -1;
  char unit = i < a.size() ? static_cast<char>(std::toupper(static_cast<unsigned char>(a[i]))) : 'Y';
  switch (unit) {
    case 'Y': return n;
    case 'M': return n / 12;
    case 'W': return n / 52;
    case 'D': return n / 365;
    default: return -1;
  }
}

std::string capped(std::string v, size_t max) {
  if (v.size() <= max) return v;
  size_t n = max;
  while (n > 0 && (static_cast<unsigned char>(v[n]) & 0xC0) == 0x80) --n;
  v.resize(n);
  return v;
}

std::string facet_value(const std::string& key, const std::string& value) {
  if (key == "age") {
    int y = -1;
    if (!value.empty() && std::all_of(value.begin(), value.end(), ::isdigit)) y = std::stoi(value);
    else y = age_years(value);
    if (y < 0 || y > 999) return "";
    char buf[8];
    std::snprintf(buf, sizeof buf, "%03d", y);
    return buf;
  }
  return capped(coded(key) ? upper(value) : value);
}

std::string display_value(const std::string& key, const std::string& stored) {
  if (key == "age") {
    size_t i = stored.find_first_not_of('0');
    return i == std::string::npos ? "0" : stored.substr(i);
  }
  return stored;
}

std::vector<std::pair<std::string, std::string>> series_facets(const Node& collection,
                                                               const Node& individual,
                                                               const Node& study,
                                                               const Node& series) {
  std::vector<std::pair<std::string, std::string>> out;
  auto add = [&](const std::string& key, const std::string& raw) {
    std::string v = facet_value(key, raw);
    if (!v.empty() && v.find('\0') == std::string::npos) out.emplace_back(key, v);
  };
  add("collection", collection.accession);
  add("disease", collection.attr("disease"));
  add("modality", series.attr("modality"));
  add("bodypart", series.attr("bodypart"));
  add("manufacturer", series.attr("manufacturer"));
  add("sex", study.attr("sex").empty() ? individual.attr("sex") : study.attr("sex"));
  add("age", study.attr("age"));
  std::string date = study.attr("date");
  if (date.size() >= 4) add("studyyear", date.substr(0, 4));
  add("accession", collection.accession);
  add("accession", individual.accession);
  add("accession", study.accession);
  for (auto& [k, v] : individual.attrs)
    if (k.rfind("clinical.", 0) == 0) add(lower(k.substr(9)), v);
  return out;
}

Status put_facets(lmdb::Txn& txn, MDB_dbi facets, NodeId series,
                  const std::vector<std::pair<std::string, std::string>>& values) {
  for (auto& [k, v] : values) OBIA_TRY(txn.put(facets, entry_key(k, v, series), ""));
  return {};
}

Status delete_facets(lmdb::Txn& txn, MDB_dbi facets, NodeId series,
                     const std::vector<std::pair<std::string, std::string>>& values) {
  for (auto& [k, v] : values) OBIA_TRY(txn.del(facets, entry_key(k, v, series)));
  return {};
}

Result<std::vector<FacetTerm>> parse_query(std::string_view expr) {
  std::vector<FacetTerm> terms;
  size_t start = 0;
  while (start <= expr.size()) {
    size_t amp = expr.find('&', start);
    std::string_view part = expr.substr(start, amp == std::string_view::npos ? std::string_view::npos : amp - start);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return make_error(ENOENT, "a query term is key=value");
    FacetTerm t;
    t.key = lower(std::string(part.substr(0, eq)));
    std::string value(part.substr(eq + 1));
    size_t dash = value.find('-');
    if (t.key == "age" && dash != std::string::npos) {
      try {
        t.range = std::make_pair(std::stoi(value.substr(0, dash)), std::stoi(value.substr(dash + 1)));
      } catch (...) {
        return make_error(ENOENT, "age range is A-B");
      }
    } else {
      t.value = facet_value(t.key, value);
      if (t.value.empty()) return make_error(ENOENT, "empty value");
    }
    terms.push_back(std::move(t));
    if (amp == std::string_view::npos) break;
    start = amp + 1;
  }
  return terms;
}

namespace {

// Visits entries whose key starts with `prefix` (which begins with "<facet>\0"); passes each
// entry's value and series id. Keys are "<facet>\0<value>\0<8-byte id>".
Status scan(const lmdb::Txn& txn, MDB_dbi facets, const std::string& prefix,
            const std::function<bool(std::string_view value, NodeId)>& fn) {
  size_t facet_len = prefix.find('\0') + 1;
  auto cur = lmdb::Cursor::open(txn, facets);
  if (!cur) return cur.error();
  auto more = cur->seek(prefix);
  for (; more.ok() && *more; more = cur->next()) {
    std::string_view k = cur->key();
    if (k.substr(0, prefix.size()) != prefix || k.size() < facet_len + 9) break;
    std::string_view value = k.substr(facet_len, k.size() - facet_len - 9);
    if (!fn(value, from_be64(k.substr(k.size() - 8)))) break;
  }
  if (!more) return more.error();
  return {};
}

}  // namespace

Result<std::vector<NodeId>> term_series(const lmdb::Txn& txn, MDB_dbi facets, const FacetTerm& t) {
  std::vector<NodeId> out;
  Status s;
  if (t.range) {
    std::string lo = facet_value("age", std::to_string(t.range->first));
    std::string hi = facet_value("age", std::to_string(t.range->second));
    // A range scan: from the low bound to the high bound inclusive.
    auto cur = lmdb::Cursor::open(txn, facets);
    if (!cur) return cur.error();
    std::string prefix = t.key + '\0';
    auto more = cur->seek(prefix + lo);
    for (; more.ok() && *more; more = cur->next()) {
      std::string_view k = cur->key();
      if (k.substr(0, prefix.size()) != prefix) break;
      std::string_view rest = k.substr(prefix.size());
      std::string_view value = rest.substr(0, rest.size() - 9);
      if (value > hi) break;
      out.push_back(from_be64(rest.substr(rest.size() - 8)));
    }
    if (!more) return more.error();
  } else {
    s = scan(txn, facets, t.key + '\0' + t.value + '\0', [&](std::string_view, NodeId id) {
      out.push_back(id);
      return true;
    });
  }
  if (!s) return s.error();
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

Result<std::map<std::string, uint64_t>> facet_counts(const lmdb::Txn& txn, MDB_dbi facets,
                                                     const std::string& key) {
  std::map<std::string, uint64_t> out;
  auto s = scan(txn, facets, key + '\0', [&](std::string_view value, NodeId) {
    ++out[std::string(value)];
    return true;
  });
  if (!s) return s.error();
  return out;
}

Result<std::vector<std::string>> facet_keys(const lmdb::Txn& txn, MDB_dbi facets) {
  std::vector<std::string> keys(kBaseFacets.begin(), kBaseFacets.end());
  // Clinical keys: jump from key to key instead of walking every entry.
  auto cur = lmdb::Cursor::open(txn, facets);
  if (!cur) return cur.error();
  auto more = cur->first();
  while (more.ok() && *more) {
    std::string_view k = cur->key();
    std::string key(k.substr(0, k.find('\0')));
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(key);
    std::string next = key;
    next.push_back('\x01');  // first key after every "<key>\0..." entry
    more = cur->seek(next);
  }
  if (!more) return more.error();
  return keys;
}

}  // namespace obia::index
