// UID remapping into the 2.25 (UUID-derived) arc from a keyed hash of the original UID.
#include "deid/uid_remap.h"

#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <string>
#include <unordered_map>

namespace obia::deid {
namespace {

std::string_view trim_uid(std::string_view uid) {
  while (!uid.empty() && (uid.back() == '\0' || uid.back() == ' ')) uid.remove_suffix(1);
  while (!uid.empty() && uid.front() == ' ') uid.remove_prefix(1);
  return uid;
}

std::string decimal(unsigned __int128 v) {
  std::string digits;
  do {
    digits.push_back(static_cast<char>('0' + static_cast<int>(v % 10)));
    v /= 10;
  } while (v != 0);
  std::reverse(digits.begin(), digits.end());
  return digits;
}

}  // namespace

std::string remap_uid(const Secret& secret, std::string_view uid) {
  const Digest d = hmac_sha256(secret, trim_uid(uid));
  unsigned __int128 v = 0;
  for (int i = 0; i < 16; ++i) v = (v << 8) | d[static_cast<std::size_t>(i)];
  return "2.25." + decimal(v);
}

bool is_registry_uid(std::string_view uid) {
  uid = trim_uid(uid);
  if (uid.starts_with("1.2.840.10008.")) return true;
  // DCMTK's table also names vendors' private classes and syntaxes, but it searches linearly,
  // and one file asks for the same study, series and instance UIDs several times.
  thread_local std::unordered_map<std::string, bool> seen;
  const std::string s(uid);
  if (auto it = seen.find(s); it != seen.end()) return it->second;
  const bool known = dcmFindNameOfUID(s.c_str(), nullptr) != nullptr;
  if (seen.size() >= 4096) seen.clear();
  seen.emplace(s, known);
  return known;
}

std::string map_uid(const Secret& secret, std::string_view uid) {
  uid = trim_uid(uid);
  if (uid.empty() || is_registry_uid(uid)) return std::string(uid);
  return remap_uid(secret, uid);
}

std::string map_uid_value(const Secret& secret, std::string_view value) {
  std::string out;
  while (true) {
    const auto sep = value.find('\\');
    out.append(map_uid(secret, value.substr(0, sep)));
    if (sep == std::string_view::npos) break;
    out.push_back('\\');
    value.remove_prefix(sep + 1);
  }
  return out;
}

}  // namespace obia::deid
