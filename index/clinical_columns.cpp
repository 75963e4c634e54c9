// Column classification: the rules on column names (word tokens, so "valid" and "thyroid" are
// not "id") and then the evidence in the values (clinical_values.cpp).
#include "index/clinical_columns.h"

#include <algorithm>
#include <cctype>
#include <chrono>

#include "index/clinical_values.h"

namespace obia::index::clinical {
namespace {

using Tokens = std::vector<std::string>;

bool has(const Tokens& t, std::initializer_list<const char*> words) {
  for (const char* w : words)
    if (std::find(t.begin(), t.end(), w) != t.end()) return true;
  return false;
}
std::string joined(const Tokens& t) {
  std::string s;
  for (auto& w : t) s += w;
  return s;
}
bool joined_has(const Tokens& t, std::initializer_list<const char*> words) {
  std::string j = joined(t);
  for (const char* w : words)
    if (j.find(w) != std::string::npos) return true;
  return false;
}

struct NameRule {
  Action action = Action::Keep;
  std::string reason;
};

// Names that say what the column holds. nullopt: the name is neutral, the values decide.
std::optional<NameRule> rule_for_name(const Tokens& t) {
  auto refuse = [](const std::string& why) { return NameRule{Action::Refuse, why}; };
  if (has(t, {"birth", "dob", "born"}) || joined_has(t, {"birthdate", "dateofbirth", "birthday",
                                                         "geburtsdatum"})) {
    if (has(t, {"place", "city", "town", "municipality"}) || joined_has(t, {"birthplace"}))
      return refuse("its name says it holds places of birth (a place smaller than a country)");
    if (!has(t, {"weight", "length", "height", "order", "rank", "term", "control", "defect",
                 "defects", "country", "year"}))
      return NameRule{Action::BirthDate, "birth date: stored as age in years at the first study"};
  }
  if (joined_has(t, {"email"}) || has(t, {"mail"}))
    return refuse("its name says it holds email addresses");
  if (has(t, {"ip", "url", "website", "homepage", "mac", "imei", "vin", "plate"}))
    return refuse("its name says it holds network or device identifiers");
  if (has(t, {"phone", "telephone", "tel", "mobile", "cellphone", "fax", "pager"}) ||
      joined_has(t, {"phone"}))
    return refuse("its name says it holds phone or fax numbers");
  if (has(t, {"address", "addr", "street", "strasse", "zip", "zipcode", "postcode", "postal",
              "city", "town", "county", "residence", "domicile", "municipality", "village",
              "latitude", "longitude", "gps", "geolocation"}) ||
      joined_has(t, {"zipcode", "postcode", "postalcode"}))
    return refuse("its name says it holds addresses or places of residence");
  if (has(t, {"surname", "forename", "firstname", "lastname", "fullname", "givenname",
              "familyname", "middlename", "maidenname", "nickname", "initials", "alias"}) ||
      joined_has(t, {"firstname", "lastname", "surname", "givenname", "familyname", "fullname"}))
    return refuse("its name says it holds person names");
  if (has(t, {"name", "names"}) &&
      (t.size() == 1 ||
       has(t, {"patient", "first", "last", "given", "family", "middle", "full", "maiden", "subject",
               "participant", "person", "contact", "physician", "doctor", "referring", "mother",
               "father", "parent", "spouse", "guardian", "kin", "nurse", "surgeon", "user", "nick"})))
    return refuse("its name says it holds person names");
  if (has(t, {"id", "ids", "identifier", "identifiers", "uid", "uuid", "guid", "mrn", "ssn", "sin",
              "nhs", "nhi", "medicare", "medicaid", "passport", "license", "licence", "insurance",
              "accession", "pesel", "bsn"}))
    return refuse("its name says it holds identifiers (IDs, record or account numbers)");
  if (has(t, {"number", "no", "nr", "num", "nbr", "code", "key"}) &&
      has(t, {"patient", "subject", "record", "chart", "case", "hospital", "social", "security",
              "health", "card", "account", "member", "policy", "certificate", "vehicle", "device",
              "serial", "sample", "specimen", "biobank", "admission", "beneficiary"}))
    return refuse("its name says it holds identifiers (record, account or serial numbers)");
  if (has(t, {"photo", "photograph", "picture", "face", "fingerprint", "biometric", "biometrics",
              "voiceprint", "signature"}))
    return refuse("its name says it holds photographs or biometric data");
  return std::nullopt;
}

// Names of built-in search keys and individual attributes: a clinical column of the same
// name would mix its values into those facets.
bool reserved(const std::string& name) {
  static const char* const kReserved[] = {"collection", "modality", "bodypart",  "sex",
                                          "age",        "disease",  "manufacturer", "studyyear",
                                          "accession"};
  return std::any_of(std::begin(kReserved), std::end(kReserved),
                     [&](const char* r) { return name == r; });
}

}  // namespace

std::vector<std::string> name_tokens(std::string_view column) {
  Tokens out;
  std::string cur;
  auto flush = [&] {
    if (!cur.empty()) out.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < column.size(); ++i) {
    auto c = static_cast<unsigned char>(column[i]);
    if (!std::isalnum(c)) {
      flush();
      continue;
    }
    if (!cur.empty()) {
      auto prev = static_cast<unsigned char>(column[i - 1]);
      bool next_lower = i + 1 < column.size() &&
                        std::islower(static_cast<unsigned char>(column[i + 1]));
      // camelCase ("patientId"), an acronym before a word ("DOBDate"), letters vs digits.
      if ((std::islower(prev) && std::isupper(c)) ||
          (std::isupper(prev) && std::isupper(c) && next_lower) ||
          (std::isdigit(prev) != 0) != (std::isdigit(c) != 0))
        flush();
    }
    cur.push_back(static_cast<char>(std::tolower(c)));
  }
  flush();
  return out;
}

std::string attribute_name(std::string_view column) {
  std::string out;
  for (char ch : column) {
    auto c = static_cast<unsigned char>(ch);
    if (std::isalnum(c)) out.push_back(static_cast<char>(std::tolower(c)));
    else if (!out.empty() && out.back() != '_') out.push_back('_');
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

bool missing(std::string_view cell) {
  while (!cell.empty() && std::isspace(static_cast<unsigned char>(cell.front()))) cell.remove_prefix(1);
  while (!cell.empty() && std::isspace(static_cast<unsigned char>(cell.back()))) cell.remove_suffix(1);
  static const char* const kMissing[] = {"", "na", "n/a", "nan", "null", "none", "-", ".", "?",
                                         "unknown", "missing"};
  std::string l(cell);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::any_of(std::begin(kMissing), std::end(kMissing),
                     [&](const char* m) { return l == m; });
}

Result<std::vector<ColumnPlan>> classify(const csv::Table& table, const ColumnOptions& o) {
  int id_index = table.column(o.id_column);
  if (id_index < 0)
    return make_error(EINVAL, "no column \"" + o.id_column + "\" in the header (--id-column)");
  std::vector<ColumnPlan> plans;
  std::map<std::string, std::string> keys;  // attribute -> column, to catch collisions
  for (size_t c = 0; c < table.header.size(); ++c) {
    ColumnPlan p;
    p.column = table.header[c];
    auto renamed = o.rename.find(p.column);
    std::string name = attribute_name(renamed != o.rename.end() ? renamed->second : p.column);
    p.key = "clinical." + name;
    if (static_cast<int>(c) == id_index) {
      p.action = Action::Id;
      p.key.clear();
      p.reason = "matched through the keyed hash; not stored";
      plans.push_back(std::move(p));
      continue;
    }
    if (o.drop.count(p.column)) {
      p.action = Action::Drop;
      p.key.clear();
      p.reason = "left out (--drop)";
      plans.push_back(std::move(p));
      continue;
    }
    ValueEvidence ev = examine(table, c, static_cast<size_t>(id_index));
    auto by_name = rule_for_name(name_tokens(renamed != o.rename.end() ? renamed->second : p.column));
    if (by_name && by_name->action == Action::BirthDate) {
      if (ev.values == 0 || ev.dates + ev.years == ev.values) {
        p.action = Action::BirthDate;
        p.key = "age";
        p.reason = by_name->reason;
        p.order = ev.order;
        if (ev.ambiguous_order)
          p = ColumnPlan{p.column, "", Action::Refuse,
                         "its dates could be day/month or month/day; write them as YYYY-MM-DD",
                         false, {}};
      } else {
        p.action = Action::Refuse;
        p.reason = "its name says birth date but " + std::to_string(ev.values - ev.dates - ev.years) +
                   " of its values are not dates (first on line " +
                   std::to_string(ev.non_date.first_line) + ")";
      }
    } else if (by_name) {
      p.action = Action::Refuse;
      p.reason = by_name->reason;
    } else if (auto hard = ev.hard_refusal()) {
      p.action = Action::Refuse;
      p.reason = *hard;
    } else if (auto soft = ev.soft_refusal(); soft && !o.allow.count(p.column)) {
      p.action = Action::Refuse;
      p.reason = *soft + "; if it does not, import it with --allow \"" + p.column + "\"";
      p.overridable = true;
    } else if (ev.values > 0 && ev.dates == ev.values) {
      if (ev.ambiguous_order) {
        p.action = Action::Refuse;
        p.reason = "its dates could be day/month or month/day; write them as YYYY-MM-DD";
      } else {
        p.action = Action::Date;
        p.order = ev.order;
        p.reason = "exact dates: shifted by the individual's date offset, like the images' dates";
      }
    }
    if (p.action != Action::Refuse && p.action != Action::BirthDate) {
      if (name.empty()) {
        p.action = Action::Refuse;
        p.reason = "its name has no letters or digits; name it with --rename";
      } else if (reserved(name)) {
        p.action = Action::Refuse;
        p.reason = "\"" + name + "\" is a built-in search key; give the column another name with "
                   "--rename \"" + p.column + "=clinical_" + name + "\" or leave it out with --drop";
      }
    }
    if (!p.key.empty() && p.action != Action::Refuse) {
      auto [it, fresh] = keys.emplace(p.key, p.column);
      if (!fresh)
        return make_error(EINVAL, "columns \"" + it->second + "\" and \"" + p.column +
                                      "\" would both be stored as " + p.key + "; use --rename");
    }
    plans.push_back(std::move(p));
  }
  return plans;
}

std::optional<Ymd> parse_date(std::string_view s, ColumnPlan::DateOrder order, bool year_ok) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  auto digits = [](std::string_view v) {
    return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  auto num = [](std::string_view v) {
    int n = 0;
    for (char c : v) n = n * 10 + (c - '0');
    return n;
  };
  if (year_ok && s.size() == 4 && digits(s)) return Ymd{num(s), 0, 0};
  // A time after the date ("2020-03-17T10:00", "17.03.2020 10:00") is ignored.
  size_t cut = s.find_first_of("T ");
  if (cut != std::string_view::npos && cut >= 8) {
    std::string_view time = s.substr(cut + 1);
    if (!time.empty() && std::isdigit(static_cast<unsigned char>(time.front())) &&
        time.find(':') != std::string_view::npos)
      s = s.substr(0, cut);
  }
  Ymd r;
  if (s.size() == 8 && digits(s)) {
    r = {num(s.substr(0, 4)), num(s.substr(4, 2)), num(s.substr(6, 2))};
  } else if (s.size() == 10 && (s[4] == '-' || s[4] == '/' || s[4] == '.') && s[7] == s[4] &&
             digits(s.substr(0, 4)) && digits(s.substr(5, 2)) && digits(s.substr(8, 2))) {
    r = {num(s.substr(0, 4)), num(s.substr(5, 2)), num(s.substr(8, 2))};
  } else if (s.size() == 10 && (s[2] == '.' || s[2] == '/' || s[2] == '-') && s[5] == s[2] &&
             digits(s.substr(0, 2)) && digits(s.substr(3, 2)) && digits(s.substr(6, 4))) {
    int a = num(s.substr(0, 2)), b = num(s.substr(3, 2));
    bool mdy = s[2] != '.' && order == ColumnPlan::DateOrder::MDY;  // dotted is always D.M.Y
    r = {num(s.substr(6, 4)), mdy ? a : b, mdy ? b : a};
  } else {
    return std::nullopt;
  }
  using namespace std::chrono;
  year_month_day ymd{year{r.y}, month{static_cast<unsigned>(r.m)}, day{static_cast<unsigned>(r.d)}};
  if (!ymd.ok() || r.y < 1800) return std::nullopt;
  return r;
}

}  // namespace obia::index::clinical
