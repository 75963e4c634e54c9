// De-identification profile: Basic Application Level Confidentiality Profile plus options
// (PS3.15 E.3). Stored per collection as a comma-separated list of option names.
#pragma once

#include <set>
#include <string>
#include <string_view>

#include "common/result.h"

namespace obia::deid {

enum class Option {
  RetainSafePrivate,
  RetainUIDs,
  RetainDeviceIdentity,
  RetainInstitutionIdentity,
  RetainPatientCharacteristics,
  RetainLongFullDates,
  RetainLongModifiedDates,
  CleanDescriptors,
  CleanStructuredContent,
  CleanGraphics,
  CleanPixelData,
};

struct Profile {
  std::set<Option> options;
  bool has(Option o) const { return options.count(o) != 0; }
  // The OBIA paper's default (ARCHITECTURE §8).
  static Profile obia_default();
  // "basic" alone, or option names joined by ',' e.g. "retain-safe-private,clean-descriptors".
  static Result<Profile> parse(std::string_view text);
  std::string to_string() const;
};

std::string_view option_name(Option o);  // "retain-safe-private", ...

}  // namespace obia::deid
