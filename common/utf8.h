// DICOM text is in the file's character set (SpecificCharacterSet); JSON, TSV and the catalog's
// attributes are UTF-8. These make any DICOM string safe to show there.
#pragma once

#include <string>
#include <string_view>

namespace obia {

// True when (0008,0005) names ISO 8859-1 (ISO_IR 100, or its ISO 2022 form) as the first set.
bool is_latin1_charset(std::string_view specific_character_set);

// `text` as valid UTF-8: bytes of Latin-1 text become their code points; otherwise each byte
// that does not start a well-formed UTF-8 sequence becomes U+FFFD (other character sets are
// not decoded, but never produce invalid output).
std::string to_utf8(std::string_view text, bool latin1);

// Length of the well-formed UTF-8 sequence at the start of `s` (RFC 3629: no overlongs, no
// surrogates, nothing above U+10FFFF), or 0 when it does not start one.
size_t utf8_sequence_length(std::string_view s);

// Code point of a sequence that utf8_sequence_length() accepted (`s` holds exactly it).
unsigned utf8_decode(std::string_view s);

// Appends code point `cp` (below U+110000) as UTF-8.
void append_utf8(std::string& out, unsigned cp);

}  // namespace obia
