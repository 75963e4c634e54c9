// lookup, forget, getattr, statfs.
#include <sys/statvfs.h>

#include <cstring>

#include "fs/ops.h"
#include "fs/qc_views.h"
#include "fs/query.h"
#include "fs/sidecar.h"
#include "fs/similar.h"

namespace obia::fs {
namespace {

void reply_entry(fuse_req_t req, uint64_t ino, const struct stat& st) {
  fuse_entry_param e{};
  e.ino = ino;
  e.attr = st;
  e.attr_timeout = attr_timeout(ino);
  e.entry_timeout = attr_timeout(ino);
  fuse_reply_entry(req, &e);
}

// Entry for an inbox or quarantine path, taking one lookup reference on success.
void reply_area_entry(fuse_req_t req, Context& c, Area area, const std::string& rel) {
  AreaPath p{area, rel};
  struct stat probe {};
  if (::lstat(real_path(c, p).c_str(), &probe) != 0) return reply_error(req, errno);
  uint64_t ino = c.path_table.ref(area, rel);
  auto st = stat_ino(c, ino);
  if (!st) {
    c.path_table.forget(ino, 1);
    return reply_error(req, st.error().code);
  }
  reply_entry(req, ino, *st);
}

void reply_ino(fuse_req_t req, Context& c, uint64_t ino) {
  auto st = stat_ino(c, ino);
  if (!st) return reply_error(req, st.error().code);
  reply_entry(req, ino, *st);
}

Result<bool> collection_exists(Context& c, const char* name) {
  auto coll = c.catalog->collection_by_accession(name);
  if (!coll) return coll.error();
  return coll->has_value();
}

// Reader mounts: README.txt and stats.json at the root, the open collections, and below them
// the folders, sidecars, participants.tsv and images; nothing else exists there.
void lookup_reader(fuse_req_t req, Context& c, uint64_t parent, const char* name) {
  if (!is_catalog_ino(parent)) return reply_error(req, ENOTDIR);
  if (parent == kRootIno) {
    if (!std::strcmp(name, "README.txt")) return reply_ino(req, c, kReadmeIno);
    if (!std::strcmp(name, "stats.json")) return reply_ino(req, c, kStatsIno);
  } else {
    auto shown = reader_visible(c, parent);
    if (!shown) return reply_error(req, shown.error().code);
    if (!*shown) return reply_error(req, ENOENT);
    if (name == sidecar_name(index::kind_of(parent))) return reply_ino(req, c, sidecar_ino(parent));
    if (index::kind_of(parent) == index::Kind::Collection && !std::strcmp(name, "participants.tsv"))
      return reply_ino(req, c, participants_ino(parent));
  }
  auto child = c.catalog->lookup(parent, name);
  if (!child) return reply_error(req, child.error().code);
  if (!*child) return reply_error(req, ENOENT);
  if (parent == kRootIno) {  // a collection: shown only while open
    auto shown = reader_visible(c, **child);
    if (!shown) return reply_error(req, shown.error().code);
    if (!*shown) return reply_error(req, ENOENT);
  }
  reply_ino(req, c, **child);
}

}  // namespace

void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  try {
    Context& c = ctx(req);
    if (c.reader) return lookup_reader(req, c, parent, name);
    if (parent == kRootIno) {
      if (!std::strcmp(name, "inbox")) return reply_ino(req, c, kInboxIno);
      if (!std::strcmp(name, "quarantine")) return reply_ino(req, c, kQuarantineIno);
      if (!std::strcmp(name, "README.txt")) return reply_ino(req, c, kReadmeIno);
      if (!std::strcmp(name, "requests")) return reply_ino(req, c, kRequestsIno);
      if (!std::strcmp(name, "stats.json")) return reply_ino(req, c, kStatsIno);
      if (!std::strcmp(name, "query")) return reply_ino(req, c, kQueryIno);
      if (!std::strcmp(name, "similar")) return reply_ino(req, c, kSimilarIno);
    }
    if (parent == kSimilarIno) {
      std::string n = name;
      bool results = n.size() > 8 && n.compare(n.size() - 8, 8, ".results") == 0;
      if (results) n.resize(n.size() - 8);
      if (!c.uploads.get(n)) return reply_error(req, ENOENT);
      uint64_t ino = c.path_table.ref(results ? Area::Results : Area::Upload, n);
      return reply_ino(req, c, ino);
    }
    if (ino_kind(parent) == kSeriesSimilarKind) {
      auto series = index::make_id(index::Kind::Series, parent & index::kSeqMask);
      auto img = c.catalog->lookup(series, std::string(name) + ".dcm");
      if (!img) return reply_error(req, img.error().code);
      if (!*img) return reply_error(req, ENOENT);
      return reply_ino(req, c, with_kind(kImageSimilarKind, **img));
    }
    if (ino_kind(parent) == kImageSimilarKind || ino_kind(parent) == kResultsKind) {
      DirHandle d;
      Status s;
      if (ino_kind(parent) == kImageSimilarKind) {
        s = list_image_similar(req, c, index::make_id(index::Kind::Image, parent & index::kSeqMask),
                               d);
      } else {
        auto p = c.path_table.get(parent);
        if (!p) return reply_error(req, ESTALE);
        s = list_results(req, c, p->rel, d);
      }
      if (!s) return reply_error(req, s.error().code);
      auto ino = lookup_in_listing(d, c, name);
      if (!ino) return reply_error(req, ino.error().code);
      return reply_ino(req, c, *ino);
    }
    if (parent == kQueryIno) {
      if (!valid_expr(name)) return reply_error(req, ENOENT);
      uint64_t ino = c.path_table.ref(Area::Query, name);
      auto st = stat_ino(c, ino);
      if (!st) {
        c.path_table.forget(ino, 1);
        return reply_error(req, st.error().code);
      }
      return reply_entry(req, ino, *st);
    }
    if (ino_kind(parent) == kQueryKind) {
      auto p = c.path_table.get(parent);
      if (!p) return reply_error(req, ESTALE);
      auto ino = lookup_query_entry(req, c, p->rel, name);
      if (!ino) return reply_error(req, ino.error().code);
      auto st = stat_ino(c, *ino);
      if (!st) return reply_error(req, st.error().code);
      return reply_entry(req, *ino, *st);
    }
    if (parent == kRequestsIno) {
      if (!std::strcmp(name, "TERMS.txt")) return reply_ino(req, c, kTermsIno);
      auto coll = c.catalog->collection_by_accession(name);
      if (!coll) return reply_error(req, coll.error().code);
      if (!*coll) return reply_error(req, ENOENT);
      return reply_ino(req, c, request_ino((*coll)->id));
    }
    if (parent == kInboxIno || parent == kQuarantineIno) {
      auto exists = collection_exists(c, name);
      if (!exists) return reply_error(req, exists.error().code);
      if (!*exists) return reply_error(req, ENOENT);
      Area area = parent == kInboxIno ? Area::Inbox : Area::Quarantine;
      std::error_code ec;
      std::filesystem::create_directories(real_path(c, AreaPath{area, name}), ec);
      return reply_area_entry(req, c, area, name);
    }
    uint8_t k = ino_kind(parent);
    if (k == kInboxKind || k == kQuarantineKind) {
      auto p = c.path_table.get(parent);
      if (!p) return reply_error(req, ESTALE);
      return reply_area_entry(req, c, p->area, p->rel + "/" + name);
    }
    if (is_qc_ino(parent) || !std::strcmp(name, kQcDirName)) {  // curators' .qc/ views
      auto ino = qc_lookup(req, c, parent, name);
      if (!ino) return reply_error(req, ino.error().code);
      return reply_ino(req, c, *ino);
    }
    if (!is_catalog_ino(parent)) return reply_error(req, ENOTDIR);
    if (parent != kRootIno && name == sidecar_name(index::kind_of(parent)))
      return reply_ino(req, c, sidecar_ino(parent));
    if (index::kind_of(parent) == index::Kind::Series && !std::strcmp(name, "similar"))
      return reply_ino(req, c, with_kind(kSeriesSimilarKind, parent));
    if (index::kind_of(parent) == index::Kind::Collection &&
        !std::strcmp(name, "participants.tsv")) {
      auto a = access_of(c, parent);
      if (!a) return reply_error(req, a.error().code);
      if (a->policy && a->policy->controlled && !index::may_read(*a->policy, caller_of(req, true)))
        return reply_error(req, ENOENT);
      return reply_ino(req, c, participants_ino(parent));
    }
    if (index::kind_of(parent) == index::Kind::Collection) {
      // Below a controlled collection's folder, callers without access find nothing.
      auto a = access_of(c, parent);
      if (!a) return reply_error(req, a.error().code);
      if (a->policy && a->policy->controlled && !index::may_read(*a->policy, caller_of(req, true)))
        return reply_error(req, ENOENT);
    }
    auto child = c.catalog->lookup(parent, name);
    if (!child) return reply_error(req, child.error().code);
    if (!*child) return reply_error(req, ENOENT);  // not cached: new images keep arriving
    auto n = c.catalog->get(**child);
    if (!n) return reply_error(req, n.error().code);
    auto a = access_of(c, n->id);
    if (!a) return reply_error(req, a.error().code);
    struct stat st = node_attr(*n);
    apply(st, a->perms);
    reply_entry(req, n->id, st);
  } catch (...) {
    reply_error(req, EIO);
  }
}

namespace {
bool in_path_table(uint64_t ino) {
  uint8_t k = ino_kind(ino);
  return k == kInboxKind || k == kQuarantineKind || k == kQueryKind || k == kValueLinkKind ||
         k == kLinkKind || k == kUploadKind || k == kResultsKind;
}
}  // namespace

void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup) {
  if (in_path_table(ino)) ctx(req).path_table.forget(ino, nlookup);
  fuse_reply_none(req);
}

void op_readlink(fuse_req_t req, fuse_ino_t ino) {
  try {
    auto target = link_target(ctx(req), ino);
    if (!target) return reply_error(req, target.error().code);
    fuse_reply_readlink(req, target->c_str());
  } catch (...) {
    reply_error(req, EIO);
  }
}

void op_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data* forgets) {
  Context& c = ctx(req);
  for (size_t i = 0; i < count; ++i)
    if (in_path_table(forgets[i].ino)) c.path_table.forget(forgets[i].ino, forgets[i].nlookup);
  fuse_reply_none(req);
}

void op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info*) {
  try {
    Context& c = ctx(req);
    if (c.reader) {
      auto shown = reader_visible(c, ino);
      if (!shown) return reply_error(req, shown.error().code);
      if (!*shown) return reply_error(req, ENOENT);
    }
    auto st = stat_ino(c, ino);
    if (!st) return reply_error(req, st.error().code);
    fuse_reply_attr(req, &*st, attr_timeout(ino));
  } catch (...) {
    reply_error(req, EIO);
  }
}

void op_statfs(fuse_req_t req, fuse_ino_t) {
  struct statvfs sv {};
  if (::statvfs(ctx(req).paths.root.c_str(), &sv) != 0) return reply_error(req, errno);
  fuse_reply_statfs(req, &sv);
}

}  // namespace obia::fs
