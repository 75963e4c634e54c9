// Clean Descriptors / Clean Structured Content: decides whether a free-text value may be kept,
// by looking for the original's identifying values and for patterns that identify anyone.
#pragma once

#include <string_view>

#include "deid/phi_tokens.h"

namespace obia::deid {

enum class TextFinding {
  Clean,
  IdentifyingValue,  // contains a token of the original's identifying values
  PersonName,        // "^" (PN component separator) or a title such as "Dr." / "Mrs"
  Date,              // 20200131, 2020-01-31, 31/01/2020, 31.01.2020, "Jan 2020"
  Identifier,        // a run of 6+ digits (record numbers, accession numbers, ...)
  PhoneNumber,       // 7+ digits grouped by '-', '(', ')', '+', '/', '.' or ' '
  Address,           // street words, "p.o. box", e-mail and web addresses
  Institution,       // hospital, clinic, university, ...
  Uid,               // a dotted numeric UID (would link to the original instance)
  Binary,            // OB/UN bytes that are not printable text: nothing to judge, not kept
};

// What, if anything, makes `text` unsafe to keep. Never returns or logs the text itself.
TextFinding inspect_text(std::string_view text, const TokenMatcher& identifying);

inline bool is_clean_text(std::string_view text, const TokenMatcher& identifying) {
  return inspect_text(text, identifying) == TextFinding::Clean;
}

}  // namespace obia::deid
