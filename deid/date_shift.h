// Retain Longitudinal Temporal Information with Modified Dates: one whole-day offset per
// individual, applied to DA and DT values (times of day are unchanged by a whole-day shift).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "deid/keyed_hash.h"

namespace obia::deid {

// Shift range: dates move back by 1..3652 days (up to ten years). Never zero, so no original
// date survives; bounded, so intervals between an individual's studies are preserved exactly.
inline constexpr int kMaxDateShiftDays = 3652;

// The number of days added to every date of this individual: always in [-3652, -1]. Derived
// from keyed_hash(secret, "date-offset", patient_id), so a later submission of the same patient
// gets the same offset and nothing has to be stored.
int date_offset_days(const Secret& secret, std::string_view patient_id);

// Shifts a DA value: multi-valued ("\"), ranges ("A-B", "-B", "A-"), and the ACR-NEMA form
// "YYYY.MM.DD" (written back as YYYYMMDD). nullopt when any part is malformed.
std::optional<std::string> shift_date_value(std::string_view value, int days);

// Shifts a DT value of any precision (YYYY..YYYYMMDDHHMMSS.FFFFFF&ZZXX), multi-valued or a
// range; the time of day, fraction and UTC offset are kept. Reduced-precision values are
// shifted as their first day and written back at their own precision. nullopt when malformed.
std::optional<std::string> shift_datetime_value(std::string_view value, int days);

}  // namespace obia::deid
