// Required identity and pixel data length.
#include "ingest/qc_basic.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcxfer.h>

namespace obia::ingest {
namespace {

std::string get_string(DcmItem& item, const DcmTagKey& tag) {
  OFString v;
  if (item.findAndGetOFStringArray(tag, v).bad()) return {};
  std::string s(v.c_str());
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.pop_back();
  size_t start = s.find_first_not_of(' ');
  return start == std::string::npos ? std::string() : s.substr(start);
}

// Expected bytes of native (uncompressed) pixel data; 0 when not computable.
uint64_t expected_pixel_bytes(DcmDataset& ds) {
  Uint16 rows = 0, cols = 0, bits = 0, spp = 1;
  if (ds.findAndGetUint16(DCM_Rows, rows).bad() || ds.findAndGetUint16(DCM_Columns, cols).bad() ||
      ds.findAndGetUint16(DCM_BitsAllocated, bits).bad())
    return 0;
  ds.findAndGetUint16(DCM_SamplesPerPixel, spp);
  Sint32 frames = 1;
  if (ds.findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
  uint64_t total_bits = uint64_t(rows) * cols * uint64_t(frames) * (spp ? spp : 1) * bits;
  return (total_bits + 7) / 8;
}

}  // namespace

bool valid_uid(const std::string& uid) {
  if (uid.empty() || uid.size() > 64) return false;
  bool component_empty = true;
  for (char c : uid) {
    if (c == '.') {
      if (component_empty) return false;
      component_empty = true;
    } else if (c >= '0' && c <= '9') {
      component_empty = false;
    } else {
      return false;
    }
  }
  return !component_empty;
}

QcResult check_basic(DcmFileFormat& file) {
  QcResult r;
  DcmDataset& ds = *file.getDataset();
  r.identity.patient_id = get_string(ds, DCM_PatientID);
  if (r.identity.patient_id.empty()) {
    r.reason = Reason::NoPatientId;
    r.detail = ds.tagExists(DCM_PatientID) ? "PatientID (0010,0020) is empty"
                                           : "PatientID (0010,0020) is missing";
    return r;
  }
  struct {
    const DcmTagKey& tag;
    const char* name;
    std::string* out;
  } uids[] = {{DCM_StudyInstanceUID, "StudyInstanceUID (0020,000D)", &r.identity.study_uid},
              {DCM_SeriesInstanceUID, "SeriesInstanceUID (0020,000E)", &r.identity.series_uid},
              {DCM_SOPInstanceUID, "SOPInstanceUID (0008,0018)", &r.identity.sop_uid}};
  for (auto& u : uids) {
    *u.out = get_string(ds, u.tag);
    if (u.out->empty()) {
      r.reason = Reason::BadUid;
      r.detail = std::string(u.name) + " is missing";
      return r;
    }
    if (!valid_uid(*u.out)) {
      r.reason = Reason::BadUid;
      r.detail = std::string(u.name) + " is malformed";
      return r;
    }
  }
  DcmElement* pixels = nullptr;
  if (ds.findAndGetElement(DCM_PixelData, pixels).good() && pixels != nullptr) {
    DcmXfer xfer(ds.getOriginalXfer());
    if (!xfer.isEncapsulated()) {
      uint64_t expected = expected_pixel_bytes(ds);
      uint64_t actual = pixels->getLength();
      if (expected > 0 && actual < expected) {
        r.reason = Reason::Corrupt;
        r.detail = "pixel data is truncated: " + std::to_string(actual) + " bytes, geometry needs " +
                   std::to_string(expected);
        return r;
      }
    }
  }
  return r;
}

}  // namespace obia::ingest
