// Action U: keyed, table-free UID replacement, so that every reference to an instance, series,
// study or frame of reference keeps pointing at the remapped target.
#pragma once

#include <string>
#include <string_view>

#include "deid/keyed_hash.h"

namespace obia::deid {

// "2.25." + decimal of the first 128 bits (big-endian) of HMAC-SHA256(secret, uid). The UID's
// trailing NUL/space padding is ignored. Always hashes; see map_uid() for the registry exception.
std::string remap_uid(const Secret& secret, std::string_view uid);

// True for UIDs of the DICOM registry (SOP classes, transfer syntaxes, coding schemes, ...):
// anything under "1.2.840.10008." and anything DCMTK's dcmFindNameOfUID() knows.
bool is_registry_uid(std::string_view uid);

// remap_uid() unless the UID is a registry UID (kept) or empty (kept empty).
std::string map_uid(const Secret& secret, std::string_view uid);

// map_uid() over every value of a (possibly multi-valued, backslash-separated) UI value.
std::string map_uid_value(const Secret& secret, std::string_view value);

}  // namespace obia::deid
