// Keyed pseudonyms: HMAC-SHA256 under the archive secret. Original identifiers are never stored;
// only these digests (or values derived from them) are.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

namespace obia::deid {

using Digest = std::array<uint8_t, 32>;
using Secret = std::array<uint8_t, 32>;

Digest hmac_sha256(const Secret& secret, std::string_view message);
// Domain-separated: hmac(secret, domain + '\0' + message), so that the same input used for two
// purposes (individual key, date offset, UID) yields unrelated digests.
Digest keyed_hash(const Secret& secret, std::string_view domain, std::string_view message);

}  // namespace obia::deid
