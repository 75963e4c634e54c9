// Policy tables and the access decisions.
#include "index/policy.h"

#include <algorithm>
#include <nlohmann/json.hpp>

namespace obia::index {
namespace {

std::string be(uint64_t v, int bytes) {
  std::string s(static_cast<size_t>(bytes), '\0');
  for (int i = 0; i < bytes; ++i) s[i] = static_cast<char>(v >> (8 * (bytes - 1 - i)));
  return s;
}
uint64_t from_be(std::string_view s) {
  uint64_t v = 0;
  for (char c : s) v = (v << 8) | static_cast<uint8_t>(c);
  return v;
}

std::string grant_key(NodeId c, char kind, uint32_t id) { return be(c, 8) + kind + be(id, 4); }

nlohmann::json to_json(const Grant& g) {
  return {{"expires", g.expires}, {"created", g.created}, {"by", g.granted_by}};
}

nlohmann::json to_json(const AccessRequest& r) {
  return {{"collection", r.collection}, {"uid", r.uid},       {"purpose", r.purpose},
          {"terms", r.terms_accepted},  {"time", r.time},     {"status", r.status},
          {"decided_by", r.decided_by}, {"decided_at", r.decided_at},
          {"expires", r.expires},       {"note", r.note}};
}

AccessRequest request_from(uint64_t id, std::string_view bytes) {
  AccessRequest r;
  r.id = id;
  auto j = nlohmann::json::parse(bytes, nullptr, false);
  if (j.is_discarded()) return r;
  r.collection = j.value("collection", uint64_t{0});
  r.uid = j.value("uid", 0u);
  r.purpose = j.value("purpose", "");
  r.terms_accepted = j.value("terms", false);
  r.time = j.value("time", int64_t{0});
  r.status = j.value("status", "pending");
  r.decided_by = j.value("decided_by", 0u);
  r.decided_at = j.value("decided_at", int64_t{0});
  r.expires = j.value("expires", int64_t{0});
  r.note = j.value("note", "");
  return r;
}

}  // namespace

bool Caller::in_group(uint32_t g) const {
  return gid == g || std::find(groups.begin(), groups.end(), g) != groups.end();
}

bool may_curate(const CollectionPolicy& p, const Caller& c) {
  if (c.uid == 0 || c.uid == p.owner_uid) return true;
  return p.curators_gid && c.in_group(*p.curators_gid);
}

bool may_read(const CollectionPolicy& p, const Caller& c) {
  if (!p.controlled || may_curate(p, c)) return true;
  for (const Grant& g : p.grants) {
    if (g.kind == 'u' && g.id == c.uid) return true;
    if (g.kind == 'g' && c.in_group(g.id)) return true;
  }
  return false;
}

Result<PolicyStore> PolicyStore::open(Catalog& catalog) {
  auto g = catalog.table("grants");
  if (!g) return g.error();
  auto r = catalog.table("requests");
  if (!r) return r.error();
  auto m = catalog.table("policy_meta");
  if (!m) return m.error();
  return PolicyStore(catalog, *g, *r, *m);
}

Status PolicyStore::bump(lmdb::Txn& txn) {
  auto cur = txn.get(meta_, "generation");
  if (!cur) return cur.error();
  uint64_t n = (*cur ? from_be(**cur) : 0) + 1;
  return txn.put(meta_, "generation", be(n, 8));
}

Result<uint64_t> PolicyStore::generation() const {
  auto txn = lmdb::Txn::begin(catalog_->env(), false);
  if (!txn) return txn.error();
  auto cur = txn->get(meta_, "generation");
  if (!cur) return cur.error();
  return *cur ? from_be(**cur) : uint64_t{0};
}

Result<std::vector<Grant>> PolicyStore::grants(NodeId collection) const {
  auto txn = lmdb::Txn::begin(catalog_->env(), false);
  if (!txn) return txn.error();
  auto cur = lmdb::Cursor::open(*txn, grants_);
  if (!cur) return cur.error();
  std::string prefix = be(collection, 8);
  std::vector<Grant> out;
  auto more = cur->seek(prefix);
  for (; more.ok() && *more; more = cur->next()) {
    std::string_view k = cur->key();
    if (k.size() != 13 || k.substr(0, 8) != prefix) break;
    Grant g;
    g.kind = k[8];
    g.id = static_cast<uint32_t>(from_be(k.substr(9, 4)));
    auto j = nlohmann::json::parse(cur->value(), nullptr, false);
    if (!j.is_discarded()) {
      g.expires = j.value("expires", int64_t{0});
      g.created = j.value("created", int64_t{0});
      g.granted_by = j.value("by", 0u);
    }
    out.push_back(g);
  }
  if (!more) return more.error();
  return out;
}

Result<CollectionPolicy> PolicyStore::policy(NodeId collection, int64_t now) const {
  auto node = catalog_->get(collection);
  if (!node) return node.error();
  CollectionPolicy p;
  p.collection = collection;
  p.controlled = node->attr("access") == "controlled";
  std::string owner = node->attr("owner_uid"), curators = node->attr("curators_gid");
  if (!owner.empty()) p.owner_uid = static_cast<uint32_t>(std::stoul(owner));
  if (!curators.empty()) p.curators_gid = static_cast<uint32_t>(std::stoul(curators));
  auto all = grants(collection);
  if (!all) return all.error();
  for (const Grant& g : *all) {
    if (!g.active(now)) continue;
    p.grants.push_back(g);
    if (g.expires && (p.next_expiry == 0 || g.expires < p.next_expiry)) p.next_expiry = g.expires;
  }
  return p;
}

Status PolicyStore::grant(NodeId collection, const Grant& g) {
  auto txn = lmdb::Txn::begin(catalog_->env(), true);
  if (!txn) return txn.error();
  OBIA_TRY(txn->put(grants_, grant_key(collection, g.kind, g.id), to_json(g).dump()));
  OBIA_TRY(bump(*txn));
  return txn->commit();
}

Result<bool> PolicyStore::revoke(NodeId collection, char kind, uint32_t id) {
  auto txn = lmdb::Txn::begin(catalog_->env(), true);
  if (!txn) return txn.error();
  auto had = txn->get(grants_, grant_key(collection, kind, id));
  if (!had) return had.error();
  if (!*had) return false;
  OBIA_TRY(txn->del(grants_, grant_key(collection, kind, id)));
  OBIA_TRY(bump(*txn));
  OBIA_TRY(txn->commit());
  return true;
}

Result<AccessRequest> PolicyStore::add_request(AccessRequest r) {
  auto txn = lmdb::Txn::begin(catalog_->env(), true);
  if (!txn) return txn.error();
  auto next = txn->get(meta_, "next_request");
  if (!next) return next.error();
  r.id = (*next ? from_be(**next) : 0) + 1;
  OBIA_TRY(txn->put(meta_, "next_request", be(r.id, 8)));
  OBIA_TRY(txn->put(requests_, be(r.id, 8), to_json(r).dump()));
  OBIA_TRY(bump(*txn));
  OBIA_TRY(txn->commit());
  return r;
}

Result<std::vector<AccessRequest>> PolicyStore::requests(std::optional<NodeId> collection) const {
  auto txn = lmdb::Txn::begin(catalog_->env(), false);
  if (!txn) return txn.error();
  auto cur = lmdb::Cursor::open(*txn, requests_);
  if (!cur) return cur.error();
  std::vector<AccessRequest> out;
  auto more = cur->first();
  for (; more.ok() && *more; more = cur->next()) {
    AccessRequest r = request_from(from_be(cur->key()), cur->value());
    if (!collection || r.collection == *collection) out.push_back(std::move(r));
  }
  if (!more) return more.error();
  return out;
}

Result<std::optional<AccessRequest>> PolicyStore::latest_request(NodeId collection,
                                                                 uint32_t uid) const {
  auto all = requests(collection);
  if (!all) return all.error();
  std::optional<AccessRequest> latest;
  for (auto& r : *all)
    if (r.uid == uid) latest = r;
  return latest;
}

Result<AccessRequest> PolicyStore::decide(uint64_t id, bool approve, uint32_t by, int64_t expires,
                                          const std::string& note, int64_t now) {
  auto txn = lmdb::Txn::begin(catalog_->env(), true);
  if (!txn) return txn.error();
  auto cur = txn->get(requests_, be(id, 8));
  if (!cur) return cur.error();
  if (!*cur) return make_error(ENOENT, "no access request " + std::to_string(id));
  AccessRequest r = request_from(id, **cur);
  if (r.status != "pending")
    return make_error(EINVAL, "request " + std::to_string(id) + " is already " + r.status);
  if (approve && !r.terms_accepted)
    return make_error(EINVAL, "request " + std::to_string(id) + " did not accept the terms");
  r.status = approve ? "approved" : "denied";
  r.decided_by = by;
  r.decided_at = now;
  r.expires = approve ? expires : 0;
  r.note = note;
  OBIA_TRY(txn->put(requests_, be(id, 8), to_json(r).dump()));
  if (approve) {
    Grant g{'u', r.uid, expires, now, by};
    OBIA_TRY(txn->put(grants_, grant_key(r.collection, 'u', r.uid), to_json(g).dump()));
  }
  OBIA_TRY(bump(*txn));
  OBIA_TRY(txn->commit());
  return r;
}

}  // namespace obia::index
