// The similarity service: active generation (hasher + index), code writes, searches.
#include "index/similarity/similarity_service.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <fcntl.h>
#include <omp.h>
#include <sys/file.h>

#include <algorithm>
#include <atomic>
#include <unordered_set>

#include "common/fd.h"
#include "common/log.h"
#include "index/similarity/decode.h"
#include "index/similarity/model_store.h"
#include "index/similarity/projection_hasher.h"

namespace obia::similarity {

namespace {
constexpr size_t kCandidates = 256;  // nearest codes whose ties are ordered by fingerprint
}  // namespace

struct SimilarityService::Active {
  uint64_t generation = 0;
  std::string spec;
  std::shared_ptr<const Hasher> hasher;
  std::unique_ptr<HashIndex> index;
  std::atomic<bool> dirty{false};  // codes added since the index file was written
};

SimilarityService::SimilarityService(const store::ArchivePaths& paths,
                                     const index::Catalog& catalog,
                                     const store::ObjectStore& objects, CodeStore codes,
                                     ServiceOptions options)
    : paths_(paths),
      catalog_(catalog),
      objects_(objects),
      codes_(codes),
      options_(std::move(options)),
      info_(catalog) {}

Result<std::unique_ptr<SimilarityService>> SimilarityService::open(
    const store::ArchivePaths& paths, const index::Catalog& catalog,
    const store::ObjectStore& objects, ServiceOptions options) {
  OBIA_TRY(ensure_similarity_dirs(paths));
  register_dicom_codecs();
  auto codes = CodeStore::open(catalog);
  if (!codes) return codes.error();
  bool sync_at_open = options.sync_at_open;
  std::unique_ptr<SimilarityService> s(
      new SimilarityService(paths, catalog, objects, *codes, std::move(options)));
  auto st = s->codes_.state();
  if (!st) return st.error();
  OBIA_TRY(s->reload(*st));
  s->sync_wanted_ = sync_at_open;
  s->writer_ = std::thread([p = s.get()] {
    omp_set_max_active_levels(0);  // index building stays on this thread, beside ingest workers
    p->writer_loop();
  });
  return s;
}

SimilarityService::~SimilarityService() {
  {
    std::lock_guard lock(wmu_);
    stopping_ = true;
  }
  wcv_.notify_all();
  if (writer_.joinable()) writer_.join();
  if (options_.save_on_close) {
    if (auto s = flush(); !s) log::warn("similarity: " + s.error().message);
  }
}

std::shared_ptr<const SimilarityService::Active> SimilarityService::current() const {
  std::shared_lock lock(mu_);
  return active_;
}

Status SimilarityService::ensure_current() {
  auto st = codes_.state();
  if (!st) return st.error();
  {
    std::shared_lock lock(mu_);
    if (active_ && active_->generation == st->generation) return {};
  }
  return reload(*st);
}

Result<std::unique_ptr<HashIndex>> SimilarityService::load_or_build(uint64_t generation,
                                                                    unsigned bits) {
  std::unique_ptr<HashIndex> index;
  auto loaded = load_index(index_file(paths_), options_.policy.params);
  if (loaded && loaded->generation == generation && loaded->index->bits() == bits)
    index = std::move(loaded->index);
  else if (!loaded && loaded.error().code != ENOENT)
    log::warn("similarity: " + loaded.error().message + "; rebuilding from the catalog");
  // Codes stored after the file was written (or all of them when there is no usable file).
  std::vector<uint64_t> have = index ? index->labels() : std::vector<uint64_t>{};
  std::sort(have.begin(), have.end());
  std::vector<uint8_t> codes;
  std::vector<uint64_t> ids;
  OBIA_TRY(codes_.for_each(generation, [&](index::NodeId id, std::span<const uint8_t> code) {
    if (code.size() != bits / 8 || std::binary_search(have.begin(), have.end(), id)) return;
    codes.insert(codes.end(), code.begin(), code.end());
    ids.push_back(id);
  }));
  if (!index) {
    auto built =
        build_index(options_.policy.choose(ids.size()), bits, codes, ids, options_.policy.params);
    if (!built) return built.error();
    // Written at once, so that the next start does not rebuild again.
    if (auto s = (*built)->save(index_file(paths_), generation); !s)
      log::warn("similarity: " + s.error().message);
    return std::move(*built);
  }
  OBIA_TRY(index->add(codes, ids));
  return index;
}

Status SimilarityService::reload(const CodeState& state) {
  std::lock_guard reload_lock(reload_mu_);
  {
    std::shared_lock lock(mu_);
    if (active_ && active_->generation == state.generation) return {};
  }
  auto hasher = make_hasher(state.spec, models_dir(paths_));
  if (!hasher) return hasher.error();
  auto next = std::make_shared<Active>();
  next->generation = state.generation;
  next->spec = state.spec;
  next->hasher = std::shared_ptr<const Hasher>(std::move(*hasher));
  auto index = load_or_build(state.generation, next->hasher->bits());
  if (!index) return index.error();
  next->index = std::move(*index);
  next->dirty = false;
  bool replaced = false;
  {
    std::unique_lock lock(mu_);
    replaced = active_ != nullptr;
    active_ = std::move(next);
  }
  if (replaced) {
    log::info("similarity: now serving generation " + std::to_string(state.generation) + " (" +
              state.spec + ")");
    std::lock_guard lock(wmu_);
    sync_wanted_ = true;  // images archived during the reindex may lack a code
    wcv_.notify_all();
  }
  return {};
}

void SimilarityService::remember(const Active& a, index::NodeId image, const Codes& codes) {
  if (!codes.code.empty()) {
    std::unique_lock lock(mu_);
    if (active_.get() == &a) {
      uint64_t label = image;
      if (active_->index->add(codes.code, std::span<const uint64_t>(&label, 1)))
        active_->dirty = true;
    }
  }
  {
    std::lock_guard lock(wmu_);
    pending_.push_back({a.generation, image, codes.code, codes.fingerprint});
  }
  wcv_.notify_all();
}

Result<SimilarityService::Codes> SimilarityService::compute(const Active& a,
                                                            const GrayImage& decoded) {
  // One resize serves both when the hasher's input size is the fingerprint's (the default).
  GrayImage small = resize(decoded, static_cast<int>(kDefaultSize), static_cast<int>(kDefaultSize));
  Codes c;
  auto code = hash_image(*a.hasher, a.hasher->input_size() == kDefaultSize ? small : decoded);
  if (!code) return code.error();
  c.code = std::move(*code);
  auto fp = fingerprint(small);
  if (!fp) return fp.error();
  c.fingerprint = std::move(*fp);
  return c;
}

void SimilarityService::on_archived(index::NodeId image, DcmFileFormat& deidentified) {
  try {
    if (auto s = ensure_current(); !s) log::warn("similarity: " + s.error().message);
    auto a = current();
    if (!a || deidentified.getDataset() == nullptr) return;
    Codes codes;  // empty: the image has no decodable pixels and is never a hit
    auto img = decode_dicom(*deidentified.getDataset());
    if (img) {
      auto c = compute(*a, *img);
      if (!c) {
        log::warn("similarity: image " + std::to_string(index::seq_of(image)) + ": " +
                  c.error().message);
        return;
      }
      codes = std::move(*c);
    } else {
      log::debug("similarity: image " + std::to_string(index::seq_of(image)) +
                 " has no code: " + img.error().message);
    }
    remember(*a, image, codes);
  } catch (const std::exception& e) {
    log::error(std::string("similarity: on_archived: ") + e.what());
  }
}

Result<SimilarityService::Codes> SimilarityService::compute_from_object(const Active& a,
                                                                        index::NodeId image) {
  auto node = catalog_.get(image);
  if (!node) return node.error();
  if (node->kind() != index::Kind::Image) return make_error(ENOENT, "not an image");
  auto bytes = read_file(objects_.path_of(node->object));
  if (!bytes) return bytes.error();
  auto img = decode_dicom_bytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
  if (!img) return Codes{};
  return compute(a, *img);
}

Result<SimilarityService::Codes> SimilarityService::code_of(index::NodeId image) {
  auto a = current();
  auto stored = codes_.get(a->generation, image);
  if (!stored) return stored.error();
  if (*stored) {
    Codes c;
    c.code = std::move(**stored);
    auto fp = codes_.fingerprints(std::span<const index::NodeId>(&image, 1));
    if (!fp) return fp.error();
    c.fingerprint = std::move((*fp)[0]);
    return c;
  }
  {  // computed by on_archived but still waiting for the writer thread?
    std::lock_guard lock(wmu_);
    for (const auto& p : pending_)
      if (p.image == image && p.generation == a->generation) return Codes{p.code, p.fingerprint};
  }
  auto codes = compute_from_object(*a, image);
  if (!codes) return codes.error();
  remember(*a, image, *codes);
  return codes;
}

Result<std::vector<Hit>> SimilarityService::search(const Codes& query, size_t k,
                                                   const Visible& visible, index::NodeId exclude) {
  std::vector<Hit> hits;
  if (query.code.empty() || k == 0) return hits;
  // Enough candidates to order the ties at the k-th distance, searching deeper while the
  // visibility filter leaves fewer than that.
  const size_t pool = std::max(k, kCandidates);
  {
    std::shared_lock lock(mu_);
    const HashIndex& index = *active_->index;
    if (query.code.size() != index.bits() / 8) return hits;
    const size_t n = index.size();
    size_t want = std::min(n, pool + 1);
    std::unordered_set<index::NodeId> seen;
    while (true) {
      auto found = index.search(query.code, want);
      hits.clear();
      seen.clear();
      for (const auto& f : found) {
        if (f.label == exclude || !seen.insert(f.label).second) continue;
        if (visible && !visible(f.label)) continue;
        hits.push_back({f.label, f.distance});
      }
      if (hits.size() >= pool || found.size() < want || want >= n) break;
      want = std::min(n, want * 4);
    }
  }
  std::vector<index::NodeId> ids;
  for (const auto& h : hits) ids.push_back(h.image);
  auto prints = codes_.fingerprints(ids);
  if (!prints) return prints.error();
  std::vector<uint32_t> fd(hits.size(), UINT32_MAX);
  if (!query.fingerprint.empty())
    for (size_t i = 0; i < hits.size(); ++i)
      if ((*prints)[i].size() == query.fingerprint.size())
        fd[i] = hamming(query.fingerprint, (*prints)[i]);
  std::vector<size_t> order(hits.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (hits[a].distance != hits[b].distance) return hits[a].distance < hits[b].distance;
    if (fd[a] != fd[b]) return fd[a] < fd[b];
    return hits[a].image < hits[b].image;
  });
  std::vector<Hit> out;
  for (size_t i = 0; i < order.size() && out.size() < k; ++i) out.push_back(hits[order[i]]);
  return out;
}

Result<std::vector<Hit>> SimilarityService::similar_to(index::NodeId image, size_t k,
                                                       const Visible& visible) {
  OBIA_TRY(ensure_current());
  auto code = code_of(image);
  if (!code) return code.error();
  return search(*code, k, visible, image);
}

Result<std::vector<Hit>> SimilarityService::query(std::span<const uint8_t> file_bytes, size_t k,
                                                  const Visible& visible) {
  OBIA_TRY(ensure_current());
  auto img = decode_any(file_bytes);
  if (!img) return img.error();
  auto a = current();
  auto codes = compute(*a, *img);
  if (!codes) return codes.error();
  return search(*codes, k, visible, 0);
}

Result<std::string> SimilarityService::image_path(index::NodeId image) { return info_.path(image); }

Status SimilarityService::sync(const Progress& progress) {
  OBIA_TRY(ensure_current());
  auto a = current();
  std::vector<index::NodeId> have;
  OBIA_TRY(codes_.for_each(
      a->generation, [&](index::NodeId id, std::span<const uint8_t>) { have.push_back(id); }));
  {
    std::lock_guard lock(wmu_);
    for (const auto& p : pending_) have.push_back(p.image);
  }
  std::sort(have.begin(), have.end());
  std::vector<index::NodeId> missing;
  OBIA_TRY(catalog_.for_each_image([&](const index::Node& n) {
    if (!std::binary_search(have.begin(), have.end(), n.id)) missing.push_back(n.id);
  }));
  if (!missing.empty())
    log::info("similarity: computing " + std::to_string(missing.size()) + " missing code(s)");
  for (size_t i = 0; i < missing.size(); ++i) {
    if (current() != a) break;  // reindexed meanwhile: the next sync starts over
    {
      std::lock_guard lock(wmu_);
      if (stopping_) break;  // shutting down: the next start finishes the job
    }
    auto code = compute_from_object(*a, missing[i]);
    if (code)
      remember(*a, missing[i], *code);
    else
      log::warn("similarity: image " + std::to_string(index::seq_of(missing[i])) + ": " +
                code.error().message);
    if (progress) progress(i + 1, missing.size());
  }
  return {};
}

Status SimilarityService::write_pending(std::vector<Pending>& batch) {
  size_t start = 0;
  Status result;
  while (start < batch.size()) {
    size_t end = start;
    std::vector<CodeEntry> entries;
    while (end < batch.size() && batch[end].generation == batch[start].generation &&
           entries.size() < options_.write_batch) {
      entries.push_back(
          {batch[end].image, std::move(batch[end].code), std::move(batch[end].fingerprint)});
      ++end;
    }
    auto s = codes_.put(batch[start].generation, entries);
    if (!s && s.error().code == ESTALE) {
      std::lock_guard lock(wmu_);
      sync_wanted_ = true;  // these images get codes of the new generation
    } else if (!s) {
      result = s;
    }
    start = end;
  }
  return result;
}

void SimilarityService::writer_loop() {
  std::unique_lock lock(wmu_);
  for (;;) {
    wcv_.wait(lock, [&] { return stopping_ || !pending_.empty() || sync_wanted_; });
    if (!stopping_ && !pending_.empty() && pending_.size() < options_.write_batch)
      wcv_.wait_for(lock, std::chrono::milliseconds(options_.write_delay_ms),
                    [&] { return stopping_ || pending_.size() >= options_.write_batch; });
    std::vector<Pending> batch;
    batch.swap(pending_);
    bool do_sync = sync_wanted_ && !stopping_;
    sync_wanted_ = false;
    bool stop = stopping_;
    lock.unlock();
    if (!batch.empty()) {
      if (auto s = write_pending(batch); !s) log::error("similarity: " + s.error().message);
    }
    if (do_sync) {
      if (auto s = sync(); !s) log::warn("similarity: sync: " + s.error().message);
    }
    lock.lock();
    if (stop && pending_.empty()) return;
  }
}

Status SimilarityService::flush() {
  std::vector<Pending> batch;
  {
    std::lock_guard lock(wmu_);
    batch.swap(pending_);
  }
  OBIA_TRY(write_pending(batch));
  auto st = codes_.state();
  if (!st) return st.error();
  // Never overwrite the file of a reindex in progress (it holds the lock for its whole run).
  auto lockfd = open_fd(reindex_lock_file(paths_), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (!lockfd) return lockfd.error();
  if (::flock(lockfd->get(), LOCK_SH | LOCK_NB) != 0) return {};
  std::shared_lock lock(mu_);
  if (!active_ || !active_->dirty || active_->generation != st->generation) return {};
  OBIA_TRY(active_->index->save(index_file(paths_), active_->generation));
  active_->dirty = false;
  return {};
}

Result<SimilarityService::Info> SimilarityService::info() {
  OBIA_TRY(ensure_current());
  std::shared_lock lock(mu_);
  Info i;
  i.generation = active_->generation;
  i.spec = active_->spec;
  i.kind = active_->index->kind();
  i.indexed = active_->index->size();
  return i;
}

}  // namespace obia::similarity
