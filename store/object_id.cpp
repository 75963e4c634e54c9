// ObjectId naming and xxHash3-128.
#include "store/object_id.h"

#include <xxhash.h>

#include <charconv>

#include "common/hex.h"

namespace obia::store {

std::string ObjectId::name() const {
  std::string n = to_hex(hash);
  if (variant > 0) n += "-" + std::to_string(variant);
  return n;
}

std::optional<ObjectId> ObjectId::parse(std::string_view name) {
  if (name.size() < 32) return std::nullopt;
  auto bytes = from_hex(name.substr(0, 32));
  if (!bytes) return std::nullopt;
  ObjectId id;
  std::copy(bytes->begin(), bytes->end(), id.hash.begin());
  std::string_view rest = name.substr(32);
  if (!rest.empty()) {
    if (rest[0] != '-' || rest.size() < 2) return std::nullopt;
    auto [p, ec] = std::from_chars(rest.data() + 1, rest.data() + rest.size(), id.variant);
    if (ec != std::errc() || p != rest.data() + rest.size() || id.variant == 0) return std::nullopt;
  }
  return id;
}

std::array<uint8_t, 16> content_hash(std::span<const uint8_t> bytes) {
  XXH128_hash_t h = XXH3_128bits(bytes.data(), bytes.size());
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, h);
  std::array<uint8_t, 16> out{};
  std::copy(std::begin(c.digest), std::end(c.digest), out.begin());
  return out;
}

}  // namespace obia::store
