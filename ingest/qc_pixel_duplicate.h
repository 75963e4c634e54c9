// QC stage "duplicate-pixels" (after de-identification, where the remapped SOP Instance UID is
// known): pixel data identical to an image archived in the collection under another SOP
// Instance UID is a warning, or a rejection when the collection's attribute
// reject_pixel_duplicates is yes. (Same UID and same bytes is the pipeline's own duplicate.)
#pragma once

#include <memory>

#include "ingest/pipeline.h"
#include "ingest/qc_log.h"

namespace obia::ingest {

class PixelDuplicateCheck {
 public:
  explicit PixelDuplicateCheck(std::shared_ptr<QcLog> log) : log_(std::move(log)) {}
  QcResult operator()(DcmFileFormat& file, CheckContext& context) const;

 private:
  std::shared_ptr<QcLog> log_;
};

// "OBIA0001/I000001/S00000001/001_CT/000001.dcm" for an image node.
std::string archived_path(const index::Catalog& catalog, index::NodeId image);

}  // namespace obia::ingest
