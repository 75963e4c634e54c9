// The rule engine: applies the per-element decisions (policy.h) to a file in place, at every
// depth, file meta included.
#pragma once

#include <dcmtk/dcmdata/dcfilefo.h>

#include <string>
#include <string_view>
#include <vector>

#include "deid/keyed_hash.h"
#include "deid/phi_tokens.h"
#include "deid/policy.h"
#include "deid/safe_private.h"

namespace obia::deid {

struct EngineInput {
  const Policy& policy;
  const Secret& secret;
  int date_offset_days;
  std::string_view accession;       // becomes PatientName and PatientID
  const TokenMatcher& identifying;  // for Clean Descriptors / Structured Content
  const RemovedValues& removed;     // for Retain Safe Private
};

struct EngineReport {
  bool ok = true;
  std::string failure;             // which step failed (no values)
  std::vector<std::string> notes;  // kept private elements, cleaned-away text (tags only)
};

// Applies the profile to file meta and data set. PatientName and PatientID are set to the
// accession (inserted if absent); MediaStorageSOPInstanceUID is made equal to the (remapped)
// SOPInstanceUID.
EngineReport apply_profile(DcmFileFormat& file, const EngineInput& in);

// C on an AE title: "AE" + 14 hex digits of keyed_hash(secret, "ae-title", title): the same
// device keeps the same (meaningless) title across the archive.
std::string pseudonym_ae(const Secret& secret, std::string_view title);

}  // namespace obia::deid
