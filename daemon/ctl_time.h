// Times and identities on obiactl's command line.
#pragma once

#include <cstdint>
#include <string>

#include "common/result.h"

namespace obia::ctl {

// "2027-06-30", "2027-06-30T12:00:00" (UTC), "+90d", "-7d", "+12h", "+30m", "+45s", "@<unix>".
Result<int64_t> parse_time(const std::string& text, int64_t now);
std::string format_time(int64_t t);  // "2027-06-30T12:00:00Z"
Result<uint32_t> resolve_user(const std::string& name_or_uid);
Result<uint32_t> resolve_group(const std::string& name_or_gid);

}  // namespace obia::ctl
