// Retain Safe Private Option and the private-attributes row of Table E.1-1: private data
// elements are removed unless they are provably harmless numbers; creators follow their blocks.
#pragma once

#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "deid/dicom_value.h"

namespace obia::deid {

// Normalised (case-folded, trimmed) values the profile removes or replaces, 3+ characters.
using RemovedValues = std::unordered_set<std::string>;

// True for a numeric text value that is safe to keep: every backslash-separated component is a
// decimal number (sign, fraction, exponent allowed) and none is
//  - date-like (YYYYMMDD with a plausible year, or a 14-digit date-time),
//  - time-like (HHMMSS with an optional fraction and valid hour/minute/second),
//  - identifier-like (an integer of 7+ digits, or 5+ digits with a leading zero),
//  - equal to a removed value.
// Empty values are harmless and allowed.
bool is_safe_numeric_text(std::string_view value, const RemovedValues& removed);

// True if the private (or nested) element qualifies: binary numbers (US SS UL SL FL FD SV UV
// OF OD OL OV, at most 4096 values) that are not date- or identifier-like integers; text of any
// string VR other than DA DT TM PN UI AE AS UR, or UN/OB bytes that are printable text, that
// passes is_safe_numeric_text(); or a sequence all of whose items' elements qualify (private
// creators inside are allowed).
bool is_safe_private_element(DcmElement& elem, const RemovedValues& removed);

// Filters the private attributes directly in `item` (the caller walks standard sequences):
// without `retain_safe`, all are removed; with it, a data element is kept only if its block's
// creator is present and the element qualifies, and a creator only if its block keeps an
// element. The tag path of every kept data element is appended to `kept`.
void filter_private(DcmItem& item, bool retain_safe, const RemovedValues& removed,
                    const TagPath& path, std::vector<std::string>& kept);

}  // namespace obia::deid
