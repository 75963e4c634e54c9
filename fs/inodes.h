// Inode numbers of the mounted tree. Catalog nodes use their NodeId (stable across remounts);
// fixed entries are small numbers; sidecars derive from their parent's id; inbox and quarantine
// entries (real files in the archive directory) get numbers from an in-memory path table.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "index/node.h"

namespace obia::fs {

constexpr uint64_t kRootIno = index::kRootId;
constexpr uint64_t kInboxIno = 2;
constexpr uint64_t kQuarantineIno = 3;
constexpr uint64_t kReadmeIno = 4;
constexpr uint64_t kRequestsIno = 5;  // requests/: access requests through files
constexpr uint64_t kTermsIno = 6;     // requests/TERMS.txt
constexpr uint64_t kStatsIno = 7;     // stats.json
constexpr uint64_t kQueryIno = 8;     // query/
constexpr uint64_t kSimilarIno = 9;   // similar/: query by example

constexpr uint8_t kSidecarKind = 8;     // collection.json, study.json, series.json
constexpr uint8_t kInboxKind = 9;       // inbox/<C>/... (staging/<C>/...)
constexpr uint8_t kQuarantineKind = 10; // quarantine/<C>/...
constexpr uint8_t kRequestKind = 11;    // requests/<C>: one per collection
constexpr uint8_t kParticipantsKind = 12;  // <C>/participants.tsv
constexpr uint8_t kQueryKind = 13;      // query/<expr>/ (path table: rel = expr)
constexpr uint8_t kSeriesLinkKind = 14; // query/<expr>/<link> -> ../../<series path>
constexpr uint8_t kValueLinkKind = 15;  // query/<key>=/<VALUE (N)> (path table: rel = key=VALUE)

constexpr uint8_t kSeriesSimilarKind = 16;  // <series>/similar/
constexpr uint8_t kImageSimilarKind = 17;   // <series>/similar/NNNNNN/
constexpr uint8_t kLinkKind = 18;           // a similar/ link (path table: rel = link target)
constexpr uint8_t kUploadKind = 19;         // similar/FILE (path table: rel = FILE)
constexpr uint8_t kResultsKind = 20;        // similar/FILE.results/ (path table: rel = FILE)
// 40..43: the curators' .qc/ views (fs/qc_views.h)

inline uint64_t with_kind(uint8_t kind, index::NodeId id) {
  return (uint64_t{kind} << index::kKindShift) | index::seq_of(id);
}

inline uint64_t participants_ino(index::NodeId collection) {
  return (uint64_t{kParticipantsKind} << index::kKindShift) | index::seq_of(collection);
}
inline uint64_t series_link_ino(index::NodeId series) {
  return (uint64_t{kSeriesLinkKind} << index::kKindShift) | index::seq_of(series);
}
inline index::NodeId series_of_link(uint64_t ino) {
  return index::make_id(index::Kind::Series, ino & index::kSeqMask);
}

inline uint64_t request_ino(index::NodeId collection) {
  return (uint64_t{kRequestKind} << index::kKindShift) | index::seq_of(collection);
}
inline index::NodeId request_collection(uint64_t ino) {
  return index::make_id(index::Kind::Collection, ino & index::kSeqMask);
}

inline uint8_t ino_kind(uint64_t ino) { return static_cast<uint8_t>(ino >> index::kKindShift); }
inline bool is_catalog_ino(uint64_t ino) {
  return ino == kRootIno || (ino_kind(ino) >= 1 && ino_kind(ino) <= 5);
}
inline uint64_t sidecar_ino(index::NodeId parent) {
  return (uint64_t{kSidecarKind} << index::kKindShift) |
         (uint64_t(index::kind_of(parent)) << 48) | index::seq_of(parent);
}
inline index::NodeId sidecar_parent(uint64_t ino) {
  auto kind = static_cast<index::Kind>((ino >> 48) & 0xff);
  return index::make_id(kind, ino & index::kSeqMask);
}

enum class Area : uint8_t {
  Inbox = kInboxKind,
  Quarantine = kQuarantineKind,
  Query = kQueryKind,
  ValueLink = kValueLinkKind,
  Link = kLinkKind,
  Upload = kUploadKind,
  Results = kResultsKind,
};

struct AreaPath {
  Area area;
  std::string rel;  // "OBIA0001" or "OBIA0001/dir/file.dcm"
};

// Inode numbers for real paths under staging/ and quarantine/, with kernel lookup counts:
// an entry lives while the kernel holds a reference (honours forget).
class PathTable {
 public:
  uint64_t ref(Area area, const std::string& rel);  // +1 lookup
  // The number `rel` has or gets, without a lookup reference (for plain readdir).
  uint64_t ino_of(Area area, const std::string& rel);
  std::optional<AreaPath> get(uint64_t ino) const;
  void forget(uint64_t ino, uint64_t n);
  void rename(Area area, const std::string& from, const std::string& to);

 private:
  struct Entry {
    AreaPath path;
    uint64_t nlookup = 0;
  };
  static std::string key(Area a, const std::string& rel);
  uint64_t add_locked(Area area, const std::string& rel, uint64_t refs);
  mutable std::mutex mu_;
  uint64_t next_ = 1;
  std::unordered_map<uint64_t, Entry> by_ino_;
  std::unordered_map<std::string, uint64_t> by_path_;
};

}  // namespace obia::fs
