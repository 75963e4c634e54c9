// Hash codes in the catalog's LMDB environment, keyed by image NodeId.
//   similarity.meta   "generation" -> decimal; "spec" -> the hasher spec of that generation
//   similarity.codes  slot byte (generation & 1) + big-endian NodeId -> K/8 code bytes
//   similarity.fingerprints  big-endian NodeId -> 32 bytes: the 256-bit training-free code,
//                     whatever the active hasher; orders equal distances
// A reindex writes the next generation's slot while the active one keeps serving, then flips
// generation and spec in one transaction (activate), so readers never see a mix of hashers.
// Thread-safe; every method is its own (short) transaction.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "index/catalog.h"
#include "index/similarity/hasher.h"

namespace obia::similarity {

struct CodeState {
  uint64_t generation = 1;
  std::string spec;
};

struct CodeEntry {
  index::NodeId image = 0;
  Code code;         // empty: the image has no decodable pixels
  Code fingerprint;  // empty: not written
};

class CodeStore {
 public:
  // Opens (creating when missing) the tables; a fresh archive starts at generation 1 with the
  // default training-free spec.
  static Result<CodeStore> open(const index::Catalog& catalog);

  Result<CodeState> state() const;
  // Writes `batch` (codes and fingerprints) under `generation`, which must be the active
  // generation or the one being built (active + 1); otherwise nothing is written (ESTALE).
  Status put(uint64_t generation, std::span<const CodeEntry> batch) const;
  Result<std::optional<Code>> get(uint64_t generation, index::NodeId id) const;
  // Fingerprints of `ids` (empty codes where missing), from one read snapshot.
  Result<std::vector<Code>> fingerprints(std::span<const index::NodeId> ids) const;
  // Every code of `generation`, in NodeId order, from one read snapshot.
  Status for_each(uint64_t generation,
                  const std::function<void(index::NodeId, std::span<const uint8_t>)>& fn) const;
  Result<size_t> count(uint64_t generation) const;
  // Removes every code in `generation`'s slot (refused for the active generation).
  Status clear(uint64_t generation) const;
  // Makes `next` (= active + 1) active with `spec`; ESTALE if the active generation moved.
  Status activate(uint64_t next, const std::string& spec) const;

 private:
  CodeStore(const index::lmdb::Env& env, MDB_dbi meta, MDB_dbi codes, MDB_dbi prints)
      : env_(&env), meta_(meta), codes_(codes), prints_(prints) {}
  const index::lmdb::Env* env_;
  MDB_dbi meta_, codes_, prints_;
};

}  // namespace obia::similarity
