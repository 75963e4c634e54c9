// E.1.1 step 6: what a de-identified instance says about itself: Patient Identity Removed,
// De-identification Method (profile, options, edition) and its CID 7050 code sequence, the
// longitudinal temporal flag, and Burned In Annotation under Clean Pixel Data.
#pragma once

#include <dcmtk/dcmdata/dcdatset.h>

#include <string>
#include <string_view>
#include <vector>

#include "deid/profile.h"

namespace obia::deid {

struct MethodCode {
  std::string_view value;  // CID 7050, scheme DCM
  std::string_view meaning;
};

// The CID 7050 code of the Basic Profile (113100) and of each option.
MethodCode method_code_basic();
MethodCode method_code(Option o);

// The values written to DeidentificationMethod (0012,0063), each at most 64 characters:
// "OBIA de-identification, PS3.15 2026c Annex E", then the Basic Profile and each option.
std::vector<std::string> method_description(const Profile& profile);

// Writes the marks; replaces any earlier de-identification marks. Returns false if DCMTK
// refused a value.
bool apply_marks(DcmDataset& dataset, const Profile& profile);

// Every text the marks may contain (for the verification's "written by us" set).
std::vector<std::string> mark_texts();

}  // namespace obia::deid
