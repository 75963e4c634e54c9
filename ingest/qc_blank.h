// QC stage "blank-image" (a warning, never a rejection): frames whose pixels all have one value
// (a failed reconstruction, an empty secondary capture) are archived but reported to curators.
#pragma once

#include "ingest/pipeline.h"
#include "ingest/pixel_decode.h"

namespace obia::ingest {

QcResult check_blank(DcmFileFormat& file, CheckContext& context);
// Number of frames whose samples are all equal.
uint32_t constant_frames(const DecodedPixels& pixels);

}  // namespace obia::ingest
