// The catalog's node model: every collection, individual, study, series and image is a Node
// with a stable 64-bit id (kind in the top byte, a per-kind sequence number below), which the
// filesystem uses directly as inode number, so inodes survive remounts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "store/object_id.h"

namespace obia::index {

enum class Kind : uint8_t { Root = 0, Collection = 1, Individual = 2, Study = 3, Series = 4, Image = 5 };

using NodeId = uint64_t;
constexpr NodeId kRootId = 1;  // FUSE_ROOT_ID
constexpr int kKindShift = 56;
constexpr uint64_t kSeqMask = (uint64_t{1} << 48) - 1;  // leaves bits 48..55 to fs/ for sidecars

inline NodeId make_id(Kind k, uint64_t seq) { return (uint64_t(k) << kKindShift) | seq; }
inline Kind kind_of(NodeId id) { return static_cast<Kind>(id >> kKindShift); }
inline uint64_t seq_of(NodeId id) { return id & kSeqMask; }

struct Node {
  NodeId id = 0;
  NodeId parent = 0;
  std::string name;       // name in the parent directory
  std::string accession;  // OBIA0001, I000001, S00000001 (empty for series and images)
  std::string uid;        // remapped Study/Series/SOP Instance UID
  int64_t created = 0;    // unix seconds, shown as mtime
  // Images only:
  store::ObjectId object;
  uint64_t size = 0;
  // Descriptive attributes (already de-identified), e.g. modality, bodypart, description, date.
  std::map<std::string, std::string> attrs;

  Kind kind() const { return kind_of(id); }
  std::string attr(std::string_view key) const;
};

std::string encode(const Node& n);
std::optional<Node> decode(NodeId id, std::string_view bytes);

// Accession formatting: prefix + 4 digits, I + 6, S + 8 (wider when the counter outgrows them).
std::string collection_accession(std::string_view prefix, uint64_t n);
std::string individual_accession(uint64_t n);
std::string study_accession(uint64_t n);
std::string series_name(int64_t series_number, std::string_view modality);
std::string image_name(uint64_t instance_number);

}  // namespace obia::index
