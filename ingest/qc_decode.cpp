// Decode once, keep the result for the later stages, reject what does not decode.
#include "ingest/qc_decode.h"

#include "ingest/qc_state.h"

namespace obia::ingest {

QcResult check_decodable(DcmFileFormat& file, CheckContext& context) {
  QcResult r;
  const QcScratch& s = decode_into_scratch(file, context);
  if (!s.decode_error.empty()) {
    r.reason = Reason::Undecodable;
    r.detail = s.decode_error;
  }
  return r;
}

}  // namespace obia::ingest
