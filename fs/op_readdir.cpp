// opendir (snapshot of the listing), readdir and readdirplus (offsets index the snapshot).
#include <dirent.h>

#include <algorithm>
#include <memory>
#include <span>

#include "fs/handles.h"
#include "fs/ops.h"
#include "fs/qc_views.h"
#include "fs/query.h"
#include "fs/sidecar.h"
#include "fs/similar.h"

namespace obia::fs {
namespace {

void add_fixed(Context& c, DirHandle& d, const char* name, uint64_t ino) {
  auto st = stat_ino(c, ino);
  if (st) d.entries.push_back(DirEntry{name, *st, false, {}});
}

Status list_catalog(fuse_req_t req, Context& c, uint64_t ino, DirHandle& d) {
  if (ino == kRootIno) {
    add_fixed(c, d, "README.txt", kReadmeIno);
    if (!c.reader) {
      add_fixed(c, d, "inbox", kInboxIno);
      add_fixed(c, d, "quarantine", kQuarantineIno);
      add_fixed(c, d, "requests", kRequestsIno);
    }
    add_fixed(c, d, "stats.json", kStatsIno);
    if (!c.reader) {
      add_fixed(c, d, "query", kQueryIno);
      add_fixed(c, d, "similar", kSimilarIno);
    }
  } else if (std::string sc = sidecar_name(index::kind_of(ino)); !sc.empty()) {
    add_fixed(c, d, sc.c_str(), sidecar_ino(ino));
  }
  // The daemon's own check, authoritative even when the kernel's caches are stale: content of
  // a controlled collection is listed only to those who may read it.
  Perms child_perms;
  if (ino != kRootIno) {
    auto coll = collection_of(c, ino);
    if (!coll) return coll.error();
    auto p = c.policy_cache.get(*coll);
    if (!p) return p.error();
    if (c.reader && p->controlled) return make_error(ENOENT, "not in a reader mount");
    if (p->controlled && !index::may_read(*p, caller_of(req, true))) {
      if (ino == *coll) return {};  // collection.json only, so anyone can ask
      return make_error(EACCES, "no access");
    }
    // A controlled collection's own folder lists differently to outsiders (above), so only
    // the folders below it, which outsiders cannot open, are the same for everyone.
    d.cacheable = !p->controlled || ino != *coll;
    child_perms = archive_perms(*p, true);
    if (ino == *coll) add_fixed(c, d, "participants.tsv", participants_ino(ino));
    if (index::kind_of(ino) == index::Kind::Series && !c.reader)
      add_fixed(c, d, "similar", with_kind(kSeriesSimilarKind, ino));
    if (!c.reader)
      if (auto qc = add_qc_entry(req, c, ino, d); !qc) return qc;  // curators: .qc/ (uncached)
  }
  auto kids = c.catalog->children(ino);
  if (!kids) return kids.error();
  for (auto& n : *kids) {
    struct stat st = node_attr(n);
    if (ino == kRootIno) {
      auto a = access_of(c, n.id);
      if (!a) return a.error();
      if (c.reader && a->policy && a->policy->controlled) continue;  // open collections only
      apply(st, a->perms);
    } else {
      apply(st, child_perms);
    }
    d.entries.push_back(DirEntry{n.name, st, false, {}});
  }
  return {};
}

Status list_requests(Context& c, DirHandle& d) {
  add_fixed(c, d, "TERMS.txt", kTermsIno);
  auto colls = c.catalog->collections();
  if (!colls) return colls.error();
  for (auto& n : *colls) add_fixed(c, d, n.name.c_str(), request_ino(n.id));
  return {};
}

Status list_area_roots(Context& c, Area area, DirHandle& d) {
  auto colls = c.catalog->collections();
  if (!colls) return colls.error();
  for (auto& n : *colls) {
    AreaPath p{area, n.name};
    std::error_code ec;
    std::filesystem::create_directories(real_path(c, p), ec);
    auto st = stat_ino(c, c.path_table.ino_of(area, n.name));
    if (!st) continue;
    d.entries.push_back(DirEntry{n.name, *st, true, p});
  }
  return {};
}

Status list_area(Context& c, const AreaPath& dir, DirHandle& d) {
  std::filesystem::path real = real_path(c, dir);
  std::unique_ptr<DIR, int (*)(DIR*)> dp(::opendir(real.c_str()), ::closedir);
  if (!dp) return errno_error("opendir");
  while (dirent* e = ::readdir(dp.get())) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (name.find(".tmp.") != std::string::npos) continue;  // our own atomic-write temps
    AreaPath p{dir.area, dir.rel + "/" + name};
    auto st = stat_ino(c, c.path_table.ino_of(p.area, p.rel));
    if (!st) continue;
    d.entries.push_back(DirEntry{name, *st, true, p});
  }
  std::sort(d.entries.begin(), d.entries.end(),
            [](const DirEntry& a, const DirEntry& b) { return a.name < b.name; });
  return {};
}

void fill(fuse_req_t req, Context& c, const DirHandle* d, size_t size, off_t off, bool plus) {
  // Not zero-filled: a readdir request offers up to 128 KiB, and clearing it dominated the
  // daemon's time on walks of small folders.
  auto storage = std::make_unique_for_overwrite<char[]>(size);
  std::span<char> buf(storage.get(), size);
  size_t used = 0;
  for (size_t i = static_cast<size_t>(off); i < d->entries.size(); ++i) {
    const DirEntry& e = d->entries[i];
    size_t n;
    if (plus) {
      fuse_entry_param p{};
      p.attr = e.attr;
      p.ino = e.area ? c.path_table.ino_of(e.path.area, e.path.rel) : e.attr.st_ino;
      p.attr_timeout = p.entry_timeout = attr_timeout(p.ino);
      n = fuse_add_direntry_plus(req, buf.data() + used, size - used, e.name.c_str(), &p,
                                 static_cast<off_t>(i + 1));
      if (n > size - used) break;
      // The kernel now holds a reference to this entry, as after a lookup.
      if (e.area) c.path_table.ref(e.path.area, e.path.rel);
    } else {
      n = fuse_add_direntry(req, buf.data() + used, size - used, e.name.c_str(), &e.attr,
                            static_cast<off_t>(i + 1));
      if (n > size - used) break;
    }
    used += n;
  }
  fuse_reply_buf(req, buf.data(), used);
}

// Reader mounts have no OPENDIR: each READDIR lists the folder (the kernel caches the whole
// listing, so only its first walk asks), kept for the continuation requests of long folders
// while the catalog is unchanged.
Result<std::shared_ptr<const DirHandle>> reader_listing(fuse_req_t req, Context& c, uint64_t ino,
                                                        off_t off) {
  uint64_t version = c.catalog->version();
  if (off > 0) {
    std::lock_guard lock(c.reader_mu);
    auto it = c.reader_listings.find(ino);
    if (it != c.reader_listings.end() && it->second.version == version) return it->second.dir;
  }
  if (!is_catalog_ino(ino) || (ino != kRootIno && index::kind_of(ino) == index::Kind::Image))
    return make_error(ENOTDIR, "not a folder");
  auto shown = reader_visible(c, ino);
  if (!shown) return shown.error();
  if (!*shown) return make_error(ENOENT, "not in a reader mount");
  auto d = std::make_shared<DirHandle>();
  if (auto s = list_catalog(req, c, ino, *d); !s) return s.error();
  std::lock_guard lock(c.reader_mu);
  if (c.reader_listings.size() >= 256) c.reader_listings.clear();  // bounded; rarely needed
  c.reader_listings[ino] = Context::ReaderListing{version, d};
  return std::shared_ptr<const DirHandle>(d);
}

void readdir_any(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi,
                 bool plus) {
  try {
    Context& c = ctx(req);
    if (c.reader) {
      auto d = reader_listing(req, c, ino, off);
      if (!d) return reply_error(req, d.error().code);
      return fill(req, c, d->get(), size, off, plus);
    }
    fill(req, c, from_fh<DirHandle>(fi->fh), size, off, plus);
  } catch (...) {
    reply_error(req, EIO);
  }
}

}  // namespace

void op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info* fi) {
  try {
    Context& c = ctx(req);
    // Reader mounts: the kernel then lists and caches folders without opening them.
    if (c.reader) return reply_error(req, ENOSYS);
    auto d = std::make_unique<DirHandle>();
    Status s;
    uint8_t k = ino_kind(ino);
    if (ino == kInboxIno) {
      s = list_area_roots(c, Area::Inbox, *d);
    } else if (ino == kQuarantineIno) {
      s = list_area_roots(c, Area::Quarantine, *d);
    } else if (k == kInboxKind || k == kQuarantineKind) {
      auto p = c.path_table.get(ino);
      if (!p) return reply_error(req, ESTALE);
      s = list_area(c, *p, *d);
    } else if (ino == kRequestsIno) {
      s = list_requests(c, *d);
    } else if (ino == kSimilarIno) {
      s = list_similar_root(c, *d);
    } else if (k == kSeriesSimilarKind) {
      s = list_series_similar(c, index::make_id(index::Kind::Series, ino & index::kSeqMask), *d);
      d->cacheable = true;  // the series' image names; opendir re-checks access first
    } else if (k == kImageSimilarKind) {
      s = list_image_similar(req, c, index::make_id(index::Kind::Image, ino & index::kSeqMask), *d);
    } else if (k == kResultsKind) {
      auto p = c.path_table.get(ino);
      if (!p) return reply_error(req, ESTALE);
      s = list_results(req, c, p->rel, *d);
    } else if (is_qc_ino(ino)) {
      s = list_qc(req, c, ino, *d);
    } else if (ino == kQueryIno) {
      s = list_query_root(c, *d);
    } else if (k == kQueryKind) {
      auto p = c.path_table.get(ino);
      if (!p) return reply_error(req, ESTALE);
      s = list_query_dir(req, c, p->rel, *d);
    } else if (is_catalog_ino(ino) &&
               (ino == kRootIno || index::kind_of(ino) != index::Kind::Image)) {
      s = list_catalog(req, c, ino, *d);
      if (ino == kRootIno) d->cacheable = true;
    } else {
      return reply_error(req, ENOTDIR);
    }
    if (!s) return reply_error(req, s.error().code);
    // Warm walks of archived folders then cost OPENDIR and RELEASEDIR only: the listing
    // comes from the kernel's cache until the daemon invalidates it.
    fi->cache_readdir = d->cacheable;
    fi->keep_cache = d->cacheable;
    fi->fh = to_fh(std::move(d));
    fuse_reply_open(req, fi);
  } catch (...) {
    reply_error(req, EIO);
  }
}

void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info* fi) {
  readdir_any(req, ino, size, off, fi, false);
}

void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                    struct fuse_file_info* fi) {
  readdir_any(req, ino, size, off, fi, true);
}

void op_releasedir(fuse_req_t req, fuse_ino_t, struct fuse_file_info* fi) {
  take_fh<DirHandle>(fi->fh);
  fuse_reply_err(req, 0);
}

}  // namespace obia::fs
