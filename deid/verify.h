// The verification pass, independent of the rule engine: search the de-identified output for
// any token of the original's identifying values, in the DCMTK object and in the bytes.
#pragma once

#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string>

#include "deid/phi_tokens.h"

namespace obia::deid {

// Walks file meta and data set at every depth, private elements included, and returns the tag
// path of the first value containing an identifying token (bulk pixel/waveform/overlay data
// and binary numbers are not text and are not searched).
std::optional<std::string> find_residual_in_file(DcmFileFormat& file, const TokenMatcher& m);

// The same search over a serialised Part 10 file, with a parser of its own (explicit/implicit
// VR little endian, explicit big endian, deflated; defined and undefined lengths; UN sequences)
// so that the tag path can be reported; the preamble is searched too. Anything it cannot parse
// is searched as raw bytes and reported as "offset N".
std::optional<std::string> find_residual_in_bytes(std::span<const uint8_t> bytes,
                                                  const TokenMatcher& m);

}  // namespace obia::deid
