// Contact sheets for visual inspection of a series (the OBIA paper's "each series is inspected
// visually"): one PNG mosaic of downsampled frames, windowed with the file's VOI window or a
// percentile window, each tile labelled with its image (and frame) number in a built-in font.
//   obiactl qc sheet ARCHIVE PATH     and     MOUNT/.../NNN_MOD/.qc/contact.png
#pragma once

#include <string>

#include "common/result.h"
#include "index/catalog.h"
#include "store/object_store.h"

namespace obia::ingest {

struct ContactSheetSettings {
  unsigned tile = 128;       // tile side in pixels
  unsigned max_tiles = 64;   // images (or frames) are sampled evenly beyond this
  unsigned max_columns = 8;
};

// PNG bytes of the contact sheet of `series` (a series node of the catalog).
Result<std::string> contact_sheet_png(const index::Catalog& catalog, const store::ObjectStore& objects,
                                      index::NodeId series, const ContactSheetSettings& settings = {});

}  // namespace obia::ingest
