// The de-identification entry point used by the ingest pipeline: DICOM PS3.15 Annex E
// (Basic Profile + options) applied in place to a parsed file, then verified independently.
#pragma once

#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "deid/keyed_hash.h"
#include "deid/profile.h"

namespace obia::deid {

// Who the de-identified file belongs to, decided by the caller before de-identification.
struct Subject {
  std::string individual_accession;  // e.g. "I000001": becomes PatientID and PatientName
  std::string original_patient_id;   // used for the date offset; never stored or logged
};

// The identifying values found in the original (values the profile removed or replaced),
// normalised for the verification pass. Held in memory only.
struct IdentifyingValues {
  std::vector<std::string> tokens;   // normalised tokens of 3+ characters
  std::vector<std::string> tag_of;   // tag path each token came from, e.g. "(0010,0010)"
};

struct Outcome {
  bool ok = false;
  std::string reason;   // on failure: "residual-phi", "deid-failed", "burned-in-annotation"
  std::string detail;   // tag path or explanation; never a value
  std::vector<std::string> notes;  // e.g. private elements kept under Retain Safe Private
  IdentifyingValues identifying;   // for find_residual() on the serialised output
};

// De-identifies `file` in place under `profile`, then verifies the dataset (every depth, file
// meta and private elements included) against the identifying values of the original.
// On failure `file` is left partly changed: quarantine the original bytes, not this object.
// "burned-in-annotation": Clean Pixel Data is selected and the file declares burned-in text.
// On failure `file` is left partly changed: quarantine the original bytes, not this object.
// "burned-in-annotation": Clean Pixel Data is selected and the file declares burned-in text.
Outcome deidentify(DcmFileFormat& file, const Profile& profile, const Secret& secret,
                   const Subject& subject);

// Searches serialised output bytes for any identifying token; returns the tag path of the
// first hit, or an empty string when clean.
std::string find_residual(std::span<const uint8_t> bytes, const IdentifyingValues& values);

}  // namespace obia::deid
