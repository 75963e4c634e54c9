// Decoding archived objects and the parallel loop used by bulk similarity commands.
#include "index/similarity/archived_images.h"

#include <omp.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "common/fd.h"
#include "index/similarity/decode.h"

namespace obia::similarity {

Result<GrayImage> decode_archived(const store::ObjectStore& objects, const index::Node& image) {
  auto bytes = read_file(objects.path_of(image.object));
  if (!bytes) return bytes.error();
  return decode_dicom_bytes(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(bytes->data()), bytes->size()));
}

namespace {
// The pool already uses every core: OpenMP inside LibTorch would only oversubscribe them. The
// setting is per thread in libgomp and is restored: the caller's thread is one of the workers.
struct SerialOpenMp {
  int levels = omp_get_max_active_levels();
  SerialOpenMp() { omp_set_max_active_levels(0); }
  ~SerialOpenMp() { omp_set_max_active_levels(levels); }
  SerialOpenMp(const SerialOpenMp&) = delete;
  SerialOpenMp& operator=(const SerialOpenMp&) = delete;
};
}  // namespace

void parallel_for(size_t n, int threads, size_t chunk, const std::function<void(size_t)>& fn,
                  const std::function<void(size_t, size_t)>& progress) {
  if (threads <= 0) threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  chunk = std::max<size_t>(1, chunk);
  std::atomic<size_t> next{0}, done{0};
  auto work = [&] {
    const SerialOpenMp serial;
    for (;;) {
      size_t start = next.fetch_add(chunk);
      if (start >= n) return;
      size_t end = std::min(n, start + chunk);
      for (size_t i = start; i < end; ++i) fn(i);
      done.fetch_add(end - start);
    }
  };
  std::vector<std::thread> pool;
  // With progress, the calling thread only reports; otherwise it is one of the workers.
  int extra = progress ? threads : threads - 1;
  for (int t = 0; t < extra; ++t) pool.emplace_back(work);
  if (!progress) {
    work();
  } else {
    while (done.load() < n) {
      progress(done.load(), n);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  for (auto& t : pool) t.join();
  if (progress) progress(n, n);
}

}  // namespace obia::similarity
