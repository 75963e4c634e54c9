// Faiss binary indexes (flat, HNSW, IVF) behind HashIndex, and their checksummed file format:
//   "OBIAHIX1" | u32 kind | u32 bits | u64 generation | u64 n | n × u64 labels |
//   u64 faiss bytes length | faiss index bytes | u64 XXH64 of everything before
#include <faiss/IndexBinaryFlat.h>
#include <faiss/IndexBinaryHNSW.h>
#include <faiss/IndexBinaryIVF.h>
#include <faiss/impl/io.h>
#include <faiss/index_io.h>
#include <fcntl.h>
#include <omp.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>

#include "common/fd.h"
#include "index/similarity/hamming_scan.h"
#include "index/similarity/hash_index.h"

namespace obia::similarity {
namespace {

using idx_t = faiss::IndexBinary::idx_t;
constexpr char kMagic[8] = {'O', 'B', 'I', 'A', 'H', 'I', 'X', '1'};
std::atomic<int> g_search_threads{1};

size_t auto_nlist(size_t n) {
  return std::max<size_t>(16, static_cast<size_t>(4 * std::sqrt(static_cast<double>(n))));
}

class FaissIndex : public HashIndex {
 public:
  FaissIndex(IndexKind kind, unsigned bits, std::unique_ptr<faiss::IndexBinary> index,
             const IndexParams& params)
      : kind_(kind), bits_(bits), index_(std::move(index)), params_(params) {}

  IndexKind kind() const override { return kind_; }
  unsigned bits() const override { return bits_; }
  size_t size() const override { return labels_.size(); }
  const std::vector<uint64_t>& labels() const override { return labels_; }

  Status add(std::span<const uint8_t> codes, std::span<const uint64_t> labels) override {
    if (codes.size() != labels.size() * (bits_ / 8))
      return make_error(EINVAL, "code batch does not match its labels");
    if (labels.empty()) return {};
    try {
      index_->add(static_cast<idx_t>(labels.size()), codes.data());
    } catch (const std::exception& e) {
      return make_error(EIO, std::string("faiss add: ") + e.what());
    }
    labels_.insert(labels_.end(), labels.begin(), labels.end());
    return {};
  }

  std::vector<Neighbor> search(std::span<const uint8_t> code, size_t k) const override {
    std::vector<Neighbor> out;
    if (labels_.empty() || k == 0 || code.size() != bits_ / 8) return out;
    idx_t kk = static_cast<idx_t>(std::min(k, labels_.size()));
    std::vector<int32_t> dist(static_cast<size_t>(kk));
    std::vector<idx_t> pos(static_cast<size_t>(kk), -1);
    search_raw(code.data(), kk, dist.data(), pos.data());
    out.reserve(static_cast<size_t>(kk));
    for (idx_t i = 0; i < kk; ++i) {
      if (pos[i] < 0 || static_cast<size_t>(pos[i]) >= labels_.size()) continue;
      out.push_back({labels_[static_cast<size_t>(pos[i])], static_cast<uint32_t>(dist[i])});
    }
    return out;
  }

  Status save(const std::filesystem::path& file, uint64_t generation) const override;

  void set_labels(std::vector<uint64_t> labels) { labels_ = std::move(labels); }
  const faiss::IndexBinary& faiss_index() const { return *index_; }

 protected:
  virtual void search_raw(const uint8_t* q, idx_t k, int32_t* d, idx_t* l) const {
    // The thread count is a per-thread OpenMP setting: apply ours for this call only.
    int saved = omp_get_max_threads();
    omp_set_num_threads(g_search_threads.load(std::memory_order_relaxed));
    index_->search(1, q, k, d, l);
    omp_set_num_threads(saved);
  }
  IndexKind kind_;
  unsigned bits_;
  std::unique_ptr<faiss::IndexBinary> index_;
  IndexParams params_;
  std::vector<uint64_t> labels_;
};

// Faiss's IndexBinaryFlat holds the codes (and gives the file format); the scan is ours
// (hamming_scan.h: hardware popcount).
class FlatIndex final : public FaissIndex {
 public:
  FlatIndex(unsigned bits, const IndexParams& p)
      : FaissIndex(IndexKind::Flat, bits, std::make_unique<faiss::IndexBinaryFlat>(bits), p) {}
  FlatIndex(unsigned bits, std::unique_ptr<faiss::IndexBinary> loaded, const IndexParams& p)
      : FaissIndex(IndexKind::Flat, bits, std::move(loaded), p) {}

 protected:
  void search_raw(const uint8_t* q, idx_t k, int32_t* d, idx_t* l) const override {
    const auto& flat = static_cast<const faiss::IndexBinaryFlat&>(*index_);
    auto hits = hamming_knn(flat.xb.data(), static_cast<size_t>(flat.ntotal), bits_ / 8, q,
                            static_cast<size_t>(k));
    for (size_t i = 0; i < static_cast<size_t>(k); ++i) {
      d[i] = i < hits.size() ? static_cast<int32_t>(hits[i].distance) : -1;
      l[i] = i < hits.size() ? static_cast<idx_t>(hits[i].position) : -1;
    }
  }
};

class HnswIndex final : public FaissIndex {
 public:
  HnswIndex(unsigned bits, const IndexParams& p)
      : FaissIndex(IndexKind::Hnsw, bits, std::make_unique<faiss::IndexBinaryHNSW>(bits, p.hnsw_m),
                   p) {
    hnsw().hnsw.efConstruction = p.hnsw_ef_construction;
    hnsw().hnsw.efSearch = p.hnsw_ef_search;
  }
  HnswIndex(unsigned bits, std::unique_ptr<faiss::IndexBinary> loaded, const IndexParams& p)
      : FaissIndex(IndexKind::Hnsw, bits, std::move(loaded), p) {
    hnsw().hnsw.efSearch = p.hnsw_ef_search;
  }

 private:
  faiss::IndexBinaryHNSW& hnsw() const { return static_cast<faiss::IndexBinaryHNSW&>(*index_); }
  // HNSW explores max(efSearch, k) candidates, so deeper searches (the visibility filter asks
  // for more) stay accurate without touching shared state.
};

class IvfIndex final : public FaissIndex {
 public:
  IvfIndex(unsigned bits, std::unique_ptr<faiss::IndexBinary> index, const IndexParams& p)
      : FaissIndex(IndexKind::Ivf, bits, std::move(index), p) {
    auto& ivf = static_cast<faiss::IndexBinaryIVF&>(*index_);
    ivf.nprobe = p.ivf_nprobe ? p.ivf_nprobe : std::max<size_t>(16, ivf.nlist / 8);
  }
};

Result<std::unique_ptr<FaissIndex>> make_empty(IndexKind kind, unsigned bits,
                                               std::span<const uint8_t> training, size_t n,
                                               const IndexParams& p) {
  try {
    switch (kind) {
      case IndexKind::Flat: return std::unique_ptr<FaissIndex>(std::make_unique<FlatIndex>(bits, p));
      case IndexKind::Hnsw: return std::unique_ptr<FaissIndex>(std::make_unique<HnswIndex>(bits, p));
      case IndexKind::Ivf: {
        size_t nlist = p.ivf_nlist ? p.ivf_nlist : auto_nlist(n);
        if (n < nlist * 8)  // too few codes for lists worth probing
          return std::unique_ptr<FaissIndex>(std::make_unique<FlatIndex>(bits, p));
        // Centroids: nlist codes sampled evenly from the data. (Faiss would train binary
        // centroids with float k-means, which needs a fast BLAS and takes minutes at scale.)
        const size_t bytes = bits / 8, step = n / nlist;
        auto quantizer = std::make_unique<faiss::IndexBinaryFlat>(bits);
        std::vector<uint8_t> centroids;
        centroids.reserve(nlist * bytes);
        for (size_t i = 0; i < nlist; ++i)
          centroids.insert(centroids.end(), training.begin() + static_cast<ptrdiff_t>(i * step * bytes),
                           training.begin() + static_cast<ptrdiff_t>((i * step + 1) * bytes));
        quantizer->add(static_cast<idx_t>(nlist), centroids.data());
        auto ivf = std::make_unique<faiss::IndexBinaryIVF>(quantizer.get(), bits, nlist);
        ivf->own_fields = true;
        quantizer.release();  // now owned by the IVF index, which counts as trained
        return std::unique_ptr<FaissIndex>(std::make_unique<IvfIndex>(bits, std::move(ivf), p));
      }
    }
  } catch (const std::exception& e) {
    return make_error(EIO, std::string("faiss: ") + e.what());
  }
  return make_error(EINVAL, "unknown index kind");
}

void put_u64(std::vector<uint8_t>& out, uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

struct Reader {
  std::span<const uint8_t> in;
  size_t pos = 0;
  bool ok = true;
  uint64_t u64(int width = 8) {
    if (pos + width > in.size()) {
      ok = false;
      return 0;
    }
    uint64_t v = 0;
    for (int i = 0; i < width; ++i) v |= uint64_t(in[pos + i]) << (8 * i);
    pos += width;
    return v;
  }
};

Status write_file(const std::filesystem::path& file, const std::vector<uint8_t>& bytes) {
  std::filesystem::path tmp = file;
  tmp += ".tmp." + std::to_string(::getpid());
  auto fd = open_fd(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (!fd) return fd.error();
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t w = ::write(fd->get(), bytes.data() + off, bytes.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      int e = errno;
      ::unlink(tmp.c_str());
      return make_error(e ? e : EIO, "writing " + tmp.string());
    }
    off += static_cast<size_t>(w);
  }
  if (::fsync(fd->get()) != 0 || ::rename(tmp.c_str(), file.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return make_error(e, "saving " + file.string());
  }
  auto dir = open_fd(file.parent_path(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir) ::fsync(dir->get());
  return {};
}

Status FaissIndex::save(const std::filesystem::path& file, uint64_t generation) const {
  faiss::VectorIOWriter writer;
  try {
    faiss::write_index_binary(index_.get(), &writer);
  } catch (const std::exception& e) {
    return make_error(EIO, std::string("faiss write: ") + e.what());
  }
  std::vector<uint8_t> out(kMagic, kMagic + 8);
  out.reserve(64 + labels_.size() * 8 + writer.data.size());
  put_u64(out, static_cast<uint32_t>(kind_) | (uint64_t(bits_) << 32));
  put_u64(out, generation);
  put_u64(out, labels_.size());
  for (uint64_t l : labels_) put_u64(out, l);
  put_u64(out, writer.data.size());
  out.insert(out.end(), writer.data.begin(), writer.data.end());
  put_u64(out, XXH64(out.data(), out.size(), 0));
  return write_file(file, out);
}

}  // namespace

std::string to_string(IndexKind kind) {
  switch (kind) {
    case IndexKind::Flat: return "flat";
    case IndexKind::Hnsw: return "hnsw";
    case IndexKind::Ivf: return "ivf";
  }
  return "unknown";
}

Result<IndexKind> parse_index_kind(const std::string& name) {
  if (name == "flat") return IndexKind::Flat;
  if (name == "hnsw") return IndexKind::Hnsw;
  if (name == "ivf") return IndexKind::Ivf;
  return make_error(EINVAL, "index kind must be flat, hnsw or ivf");
}

Result<std::unique_ptr<HashIndex>> build_index(IndexKind kind, unsigned bits,
                                               std::span<const uint8_t> codes,
                                               std::span<const uint64_t> labels,
                                               const IndexParams& params) {
  if (bits % 8 != 0 || codes.size() != labels.size() * (bits / 8))
    return make_error(EINVAL, "codes do not match labels");
  auto index = make_empty(kind, bits, codes, labels.size(), params);
  if (!index) return index.error();
  OBIA_TRY((*index)->add(codes, labels));
  return std::unique_ptr<HashIndex>(std::move(*index));
}

Result<LoadedIndex> load_index(const std::filesystem::path& file, const IndexParams& params) {
  auto fd = open_fd(file, O_RDONLY | O_CLOEXEC);
  if (!fd) return make_error(ENOENT, "no index file " + file.string());
  std::vector<uint8_t> bytes;
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t r = ::read(fd->get(), buf, sizeof buf);
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return make_error(EIO, "reading " + file.string());
    if (r == 0) break;
    bytes.insert(bytes.end(), buf, buf + r);
  }
  auto damaged = [&](const char* why) {
    return make_error(EIO, "damaged index file " + file.string() + ": " + why);
  };
  if (bytes.size() < 8 + 8 * 5 || std::memcmp(bytes.data(), kMagic, 8) != 0) return damaged("magic");
  size_t body = bytes.size() - 8;
  Reader tail{std::span<const uint8_t>(bytes).subspan(body)};
  if (tail.u64() != XXH64(bytes.data(), body, 0)) return damaged("checksum");
  Reader r{std::span<const uint8_t>(bytes.data(), body), 8};
  uint64_t kb = r.u64();
  auto kind = static_cast<IndexKind>(kb & 0xFFFFFFFF);
  auto bits = static_cast<unsigned>(kb >> 32);
  uint64_t generation = r.u64(), n = r.u64();
  if (!r.ok || n > (body - r.pos) / 8) return damaged("label count");
  std::vector<uint64_t> labels(n);
  for (auto& l : labels) l = r.u64();
  uint64_t flen = r.u64();
  if (!r.ok || flen != body - r.pos) return damaged("length");
  faiss::VectorIOReader reader;
  reader.data.assign(bytes.begin() + static_cast<ptrdiff_t>(r.pos), bytes.begin() + static_cast<ptrdiff_t>(body));
  std::unique_ptr<faiss::IndexBinary> raw;
  try {
    raw.reset(faiss::read_index_binary(&reader));
  } catch (const std::exception&) {
    return damaged("faiss");
  }
  if (!raw || raw->d != static_cast<int>(bits) || static_cast<uint64_t>(raw->ntotal) != n)
    return damaged("contents");
  // The header is checksummed, but check that the Faiss object is what the header says.
  bool type_ok = (kind == IndexKind::Flat && dynamic_cast<faiss::IndexBinaryFlat*>(raw.get())) ||
                 (kind == IndexKind::Hnsw && dynamic_cast<faiss::IndexBinaryHNSW*>(raw.get())) ||
                 (kind == IndexKind::Ivf && dynamic_cast<faiss::IndexBinaryIVF*>(raw.get()));
  if (!type_ok) return damaged("kind");
  std::unique_ptr<FaissIndex> index;
  switch (kind) {
    case IndexKind::Flat: index = std::make_unique<FlatIndex>(bits, std::move(raw), params); break;
    case IndexKind::Hnsw: index = std::make_unique<HnswIndex>(bits, std::move(raw), params); break;
    case IndexKind::Ivf: index = std::make_unique<IvfIndex>(bits, std::move(raw), params); break;
    default: return damaged("kind");
  }
  index->set_labels(std::move(labels));
  return LoadedIndex{std::move(index), generation};
}

void set_search_threads(int threads) {
  if (threads > 0) g_search_threads.store(threads, std::memory_order_relaxed);
}

}  // namespace obia::similarity
