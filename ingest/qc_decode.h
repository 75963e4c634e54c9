// QC stage "undecodable": the pixel data must decode with the codecs we have (native, RLE,
// JPEG baseline/extended/lossless, JPEG-LS, JPEG 2000). Runs first among the pixel stages and
// leaves the decoded pixels in the thread's QC scratch for the others.
#pragma once

#include "ingest/pipeline.h"

namespace obia::ingest {

QcResult check_decodable(DcmFileFormat& file, CheckContext& context);

}  // namespace obia::ingest
