// Bulk work over archived images: decoding an image's object, and a small parallel loop with
// progress reported from the calling thread (reindex, train, eval).
#pragma once

#include <cstddef>
#include <functional>

#include "common/result.h"
#include "index/node.h"
#include "index/similarity/image.h"
#include "store/object_store.h"

namespace obia::similarity {

// Reads the image's de-identified object and decodes its first frame (decode.h).
Result<GrayImage> decode_archived(const store::ObjectStore& objects, const index::Node& image);

// Calls fn(i) for every i in [0, n) from `threads` threads (0: one per core), taking indices
// in chunks of `chunk`; `progress(done, n)` runs on the calling thread about every 100 ms.
void parallel_for(size_t n, int threads, size_t chunk, const std::function<void(size_t)>& fn,
                  const std::function<void(size_t, size_t)>& progress = {});

}  // namespace obia::similarity
