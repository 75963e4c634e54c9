// Node encoding (a compact length-prefixed binary form) and accession naming.
#include "index/node.h"

#include <cstdio>
#include <cstring>

namespace obia::index {
namespace {

constexpr uint8_t kFormat = 1;

void put_u64(std::string& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
}
void put_str(std::string& out, std::string_view s) {
  put_u64(out, s.size());
  out.append(s);
}

struct Reader {
  std::string_view in;
  bool ok = true;
  uint64_t u64() {
    if (in.size() < 8) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v |= uint64_t(static_cast<uint8_t>(in[i])) << (8 * i);
    in.remove_prefix(8);
    return v;
  }
  std::string str() {
    uint64_t n = u64();
    if (!ok || n > in.size()) {
      ok = false;
      return {};
    }
    std::string s(in.substr(0, n));
    in.remove_prefix(n);
    return s;
  }
};

std::string padded(uint64_t n, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*llu", width, static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

std::string Node::attr(std::string_view key) const {
  auto it = attrs.find(std::string(key));
  return it == attrs.end() ? std::string() : it->second;
}

std::string encode(const Node& n) {
  std::string out;
  out.push_back(static_cast<char>(kFormat));
  put_u64(out, n.parent);
  put_str(out, n.name);
  put_str(out, n.accession);
  put_str(out, n.uid);
  put_u64(out, static_cast<uint64_t>(n.created));
  out.append(reinterpret_cast<const char*>(n.object.hash.data()), n.object.hash.size());
  put_u64(out, n.object.variant);
  put_u64(out, n.size);
  put_u64(out, n.attrs.size());
  for (auto& [k, v] : n.attrs) {
    put_str(out, k);
    put_str(out, v);
  }
  return out;
}

std::optional<Node> decode(NodeId id, std::string_view bytes) {
  if (bytes.empty() || static_cast<uint8_t>(bytes[0]) != kFormat) return std::nullopt;
  Reader r{bytes.substr(1)};
  Node n;
  n.id = id;
  n.parent = r.u64();
  n.name = r.str();
  n.accession = r.str();
  n.uid = r.str();
  n.created = static_cast<int64_t>(r.u64());
  if (r.in.size() < 16) return std::nullopt;
  std::memcpy(n.object.hash.data(), r.in.data(), 16);
  r.in.remove_prefix(16);
  n.object.variant = static_cast<uint32_t>(r.u64());
  n.size = r.u64();
  uint64_t count = r.u64();
  for (uint64_t i = 0; r.ok && i < count; ++i) {
    std::string k = r.str();
    std::string v = r.str();
    n.attrs.emplace(std::move(k), std::move(v));
  }
  if (!r.ok) return std::nullopt;
  return n;
}

std::string collection_accession(std::string_view prefix, uint64_t n) {
  return std::string(prefix) + padded(n, 4);
}
std::string individual_accession(uint64_t n) { return "I" + padded(n, 6); }
std::string study_accession(uint64_t n) { return "S" + padded(n, 8); }

std::string series_name(int64_t series_number, std::string_view modality) {
  std::string mod;
  for (char c : modality) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) mod.push_back(c);  // path-safe only
    if (mod.size() == 16) break;  // CS holds 16 characters; a longer value is hostile
  }
  if (mod.empty()) mod = "OT";
  return padded(static_cast<uint64_t>(series_number < 0 ? 0 : series_number), 3) + "_" + mod;
}

std::string image_name(uint64_t instance_number) { return padded(instance_number, 6) + ".dcm"; }

}  // namespace obia::index
