#include "common/heap.h"

#include <malloc.h>

namespace obia {

void keep_image_buffers(unsigned retain_mb, unsigned mmap_mb) {
  // Setting either value also turns off glibc's dynamic threshold, which would otherwise move
  // them after the first large free and trim again.
  mallopt(M_MMAP_THRESHOLD, static_cast<int>(mmap_mb) << 20);
  mallopt(M_TRIM_THRESHOLD, static_cast<int>(retain_mb) << 20);
}

}  // namespace obia
