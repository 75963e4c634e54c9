// The similarity service the daemon and the FUSE layer use: codes at ingest (on_archived),
// k most similar images of an archived image (similar_to) or of a query file (query), each
// filtered by what the caller may read. One per archive and process.
//
// Ranking: by Hamming distance of the active hasher's codes; equal distances are ordered by
// the distance of the images' 256-bit training-free fingerprints (a finer measure: an altered
// copy wins the ties), then by NodeId. Hit::distance is the active code's distance, so ranks
// and distances always agree.
//
// Thread-safety: every method may be called from any thread at any time. Searches share a
// reader lock; adding a code takes it briefly for writing. Codes are written to the catalog
// by a background thread in batches (one LMDB transaction per batch, not per image).
// Consistency with obiactl: `similarity reindex` (another process) builds a new generation of
// codes and index; every call first checks the generation in the catalog (a tiny read
// transaction) and reloads hasher and index when it moved.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "common/result.h"
#include "index/catalog.h"
#include "index/similarity/code_store.h"
#include "index/similarity/hash_index.h"
#include "index/similarity/hasher.h"
#include "index/similarity/image_info.h"
#include "store/archive.h"
#include "store/object_store.h"

class DcmFileFormat;

namespace obia::similarity {

struct Hit {
  index::NodeId image = 0;
  uint32_t distance = 0;
};

struct ServiceOptions {
  IndexPolicy policy;
  size_t write_batch = 256;  // codes per catalog transaction
  int write_delay_ms = 100;  // how long a code may wait for companions before being written
  bool save_on_close = true; // persist the index at destruction when codes were added
  bool sync_at_open = true;  // compute missing codes in the background after open()
};

using Visible = std::function<bool(index::NodeId)>;
using Progress = std::function<void(size_t done, size_t total)>;

class SimilarityService {
 public:
  static Result<std::unique_ptr<SimilarityService>> open(const store::ArchivePaths& paths,
                                                         const index::Catalog& catalog,
                                                         const store::ObjectStore& objects,
                                                         ServiceOptions options = {});
  ~SimilarityService();  // writes pending codes; saves the index if it grew
  SimilarityService(const SimilarityService&) = delete;
  SimilarityService& operator=(const SimilarityService&) = delete;

  // PipelineHooks::archived: computes and stores the code of a newly archived image from its
  // de-identified dataset (first frame). Never throws; failures are logged. An image without
  // decodable pixels (SR, some SEG) gets an empty "no code" entry and is never a hit.
  void on_archived(index::NodeId image, DcmFileFormat& deidentified);

  // The k images nearest to `image` (itself excluded) that `visible` accepts, nearest first,
  // ties by NodeId. Searches deeper until k visible hits are found or the index is exhausted.
  // Computes the image's code on the spot if it has none yet. ENOENT: no such image.
  Result<std::vector<Hit>> similar_to(index::NodeId image, size_t k, const Visible& visible);
  // The same for a query file (DICOM, PNG or JPEG by content), decoded in memory only: the
  // bytes are neither stored nor logged. EINVAL when the file cannot be decoded.
  Result<std::vector<Hit>> query(std::span<const uint8_t> file_bytes, size_t k,
                                 const Visible& visible);

  // "OBIA0001/I000001/S00000001/001_CT/000001.dcm" (for link names; see link_name.h).
  Result<std::string> image_path(index::NodeId image);

  // Computes codes for images that have none in the active generation (archived while no
  // service ran, or during a reindex). The daemon runs it once in the background at start.
  Status sync(const Progress& progress = {});
  // Writes pending codes to the catalog and the index to ARCHIVE/similarity/index.bin.
  Status flush();

  struct Info {
    uint64_t generation = 0;
    std::string spec;
    IndexKind kind = IndexKind::Flat;
    size_t indexed = 0;
  };
  Result<Info> info();

 private:
  struct Active;
  struct Pending {
    uint64_t generation;
    index::NodeId image;
    Code code, fingerprint;
  };
  struct Codes {
    Code code, fingerprint;
  };

  SimilarityService(const store::ArchivePaths& paths, const index::Catalog& catalog,
                    const store::ObjectStore& objects, CodeStore codes, ServiceOptions options);
  Status ensure_current();
  Status reload(const CodeState& state);
  Result<std::unique_ptr<HashIndex>> load_or_build(uint64_t generation, unsigned bits);
  std::shared_ptr<const Active> current() const;
  Result<Codes> code_of(index::NodeId image);
  Result<Codes> compute(const Active& a, const GrayImage& decoded);
  Result<Codes> compute_from_object(const Active& a, index::NodeId image);
  void remember(const Active& a, index::NodeId image, const Codes& codes);
  Result<std::vector<Hit>> search(const Codes& query, size_t k, const Visible& visible,
                                  index::NodeId exclude);
  void writer_loop();
  Status write_pending(std::vector<Pending>& batch);

  store::ArchivePaths paths_;
  const index::Catalog& catalog_;
  const store::ObjectStore& objects_;
  CodeStore codes_;
  ServiceOptions options_;
  ImageInfo info_;

  mutable std::shared_mutex mu_;   // guards active_ and the index inside it
  std::shared_ptr<Active> active_;
  std::mutex reload_mu_;           // one reload at a time

  std::mutex wmu_;                 // pending codes for the writer thread
  std::condition_variable wcv_;
  std::vector<Pending> pending_;
  bool stopping_ = false;
  bool sync_wanted_ = false;
  std::thread writer_;
};

}  // namespace obia::similarity
