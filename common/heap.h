// Allocator settings for processes that handle one image after another.
#pragma once

namespace obia {

// Each image allocates and frees buffers of a few hundred KB to tens of MB (file bytes, pixel
// data, serialised output). With glibc's defaults those go to mmap, or the freed heap top goes
// back to the kernel, so every image pays again for page faults and zeroed pages (about a tenth
// of a de-identification). Keeps freed memory for reuse up to `retain_mb` per arena; blocks of
// `mmap_mb` and more still come from mmap and go back at once.
void keep_image_buffers(unsigned retain_mb = 128, unsigned mmap_mb = 32);

}  // namespace obia
