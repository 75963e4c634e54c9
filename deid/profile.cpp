// Profile names: parsing and printing the per-collection option list (PS3.15 E.3 options).
#include "deid/profile.h"

#include <array>
#include <cerrno>
#include <utility>

namespace obia::deid {
namespace {

constexpr std::array<std::pair<Option, std::string_view>, 11> kNames{{
    {Option::RetainSafePrivate, "retain-safe-private"},
    {Option::RetainUIDs, "retain-uids"},
    {Option::RetainDeviceIdentity, "retain-device-identity"},
    {Option::RetainInstitutionIdentity, "retain-institution-identity"},
    {Option::RetainPatientCharacteristics, "retain-patient-characteristics"},
    {Option::RetainLongFullDates, "retain-long-full-dates"},
    {Option::RetainLongModifiedDates, "retain-long-modified-dates"},
    {Option::CleanDescriptors, "clean-descriptors"},
    {Option::CleanStructuredContent, "clean-structured-content"},
    {Option::CleanGraphics, "clean-graphics"},
    {Option::CleanPixelData, "clean-pixel-data"},
}};

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string_view option_name(Option o) {
  for (const auto& [option, name] : kNames) {
    if (option == o) return name;
  }
  return "";
}

Profile Profile::obia_default() {
  return Profile{{Option::CleanPixelData, Option::CleanDescriptors, Option::RetainLongModifiedDates,
                  Option::RetainPatientCharacteristics, Option::RetainDeviceIdentity,
                  Option::RetainSafePrivate}};
}

Result<Profile> Profile::parse(std::string_view text) {
  Profile profile;
  bool named_anything = false;
  while (true) {
    const auto comma = text.find(',');
    const std::string_view word = trim(text.substr(0, comma));
    if (word.empty()) return make_error(EINVAL, "empty de-identification option name");
    named_anything = true;
    if (word == "default") {
      const Profile d = obia_default();
      profile.options.insert(d.options.begin(), d.options.end());
    } else if (word != "basic") {
      bool known = false;
      for (const auto& [option, name] : kNames) {
        if (name == word) {
          profile.options.insert(option);
          known = true;
        }
      }
      if (!known)
        return make_error(EINVAL, "unknown de-identification option: " + std::string(word));
    }
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (!named_anything) return make_error(EINVAL, "empty de-identification profile");
  // E.3.6/E.3.7: the two longitudinal options are alternatives.
  if (profile.has(Option::RetainLongFullDates) && profile.has(Option::RetainLongModifiedDates)) {
    return make_error(
        EINVAL, "retain-long-full-dates and retain-long-modified-dates are mutually exclusive");
  }
  return profile;
}

std::string Profile::to_string() const {
  if (options.empty()) return "basic";
  std::string out;
  for (Option o : options) {
    if (!out.empty()) out.push_back(',');
    out.append(option_name(o));
  }
  return out;
}

}  // namespace obia::deid
