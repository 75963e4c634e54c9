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

}  // namespace obia
