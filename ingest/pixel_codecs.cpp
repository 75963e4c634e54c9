// One-time codec registration for every pixel consumer (QC, blanking, contact sheets).
#include "ingest/pixel_codecs.h"

#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>

#include <mutex>

#include "ingest/pixel_j2k.h"

namespace obia::ingest {

void register_pixel_codecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Never create new SOP Instance UIDs while decoding: the pipeline decides identities, and a
    // blanked image keeps its (remapped) UID.
    DJDecoderRegistration::registerCodecs(EDC_photometricInterpretation, EUC_never);
    DJLSDecoderRegistration::registerCodecs(EJLSUC_never);
    DcmRLEDecoderRegistration::registerCodecs(OFFalse);
    register_j2k_codec();
  });
}

}  // namespace obia::ingest
