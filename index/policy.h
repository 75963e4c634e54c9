// Access policies of collections (ARCHITECTURE §7): open or controlled, owner, curator group,
// grants to users or groups with optional expiry, and access requests with owner decisions.
// Stored in the catalog's LMDB environment (tables "grants", "requests", "policy_meta").
// Every change bumps a generation number so a running daemon notices it (and invalidates the
// kernel's caches); the decision functions are pure.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "index/catalog.h"

namespace obia::index {

struct Grant {
  char kind = 'u';       // 'u' user, 'g' group
  uint32_t id = 0;       // uid or gid
  int64_t expires = 0;   // unix seconds; 0 = never
  int64_t created = 0;
  uint32_t granted_by = 0;
  bool active(int64_t now) const { return expires == 0 || now < expires; }
};

struct AccessRequest {
  uint64_t id = 0;
  NodeId collection = 0;
  uint32_t uid = 0;
  std::string purpose;
  bool terms_accepted = false;
  int64_t time = 0;
  std::string status = "pending";  // pending | approved | denied | invalid
  uint32_t decided_by = 0;
  int64_t decided_at = 0;
  int64_t expires = 0;             // of the grant an approval created
  std::string note;
};

struct CollectionPolicy {
  NodeId collection = 0;
  bool controlled = false;
  uint32_t owner_uid = 0;
  std::optional<uint32_t> curators_gid;
  std::vector<Grant> grants;  // active ones only
  int64_t next_expiry = 0;    // earliest future expiry among active grants (0: none)
};

// The caller as the kernel reports it to FUSE.
struct Caller {
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::vector<uint32_t> groups;  // supplementary
  bool in_group(uint32_t g) const;
};

bool may_read(const CollectionPolicy& p, const Caller& c);
bool may_curate(const CollectionPolicy& p, const Caller& c);

class PolicyStore {
 public:
  static Result<PolicyStore> open(Catalog& catalog);

  Result<CollectionPolicy> policy(NodeId collection, int64_t now) const;
  Result<std::vector<Grant>> grants(NodeId collection) const;  // including expired
  Status grant(NodeId collection, const Grant& g);
  Result<bool> revoke(NodeId collection, char kind, uint32_t id);  // false: there was none

  Result<AccessRequest> add_request(AccessRequest r);
  Result<std::vector<AccessRequest>> requests(std::optional<NodeId> collection) const;
  Result<std::optional<AccessRequest>> latest_request(NodeId collection, uint32_t uid) const;
  Result<AccessRequest> decide(uint64_t request, bool approve, uint32_t by, int64_t expires,
                               const std::string& note, int64_t now);

  // Bumped by every change above: a daemon polls it to notice changes made by obiactl.
  Result<uint64_t> generation() const;

 private:
  PolicyStore(Catalog& c, MDB_dbi grants, MDB_dbi requests, MDB_dbi meta)
      : catalog_(&c), grants_(grants), requests_(requests), meta_(meta) {}
  Status bump(lmdb::Txn& txn);
  Catalog* catalog_;
  MDB_dbi grants_, requests_, meta_;
};

}  // namespace obia::index
