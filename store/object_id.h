// Names of content-addressed objects: xxHash3-128 of the de-identified bytes, plus a
// collision counter (xxHash is not cryptographic: equal hashes are confirmed byte by byte).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace obia::store {

struct ObjectId {
  std::array<uint8_t, 16> hash{};
  uint32_t variant = 0;  // 0 normally; >0 only when different bytes share a hash

  std::string name() const;  // 32 hex digits, then "-N" for variant N > 0
  static std::optional<ObjectId> parse(std::string_view name);
  bool operator==(const ObjectId&) const = default;
};

std::array<uint8_t, 16> content_hash(std::span<const uint8_t> bytes);

}  // namespace obia::store
