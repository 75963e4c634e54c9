// Parsing of times and user/group names for obiactl.
#include "daemon/ctl_time.h"

#include <grp.h>
#include <pwd.h>

#include <cctype>
#include <ctime>

namespace obia::ctl {

Result<int64_t> parse_time(const std::string& text, int64_t now) {
  if (text.size() >= 2 && (text[0] == '+' || text[0] == '-')) {
    char unit = text.back();
    std::string digits = text.substr(1, text.size() - (std::isdigit(unit) ? 1 : 2));
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
      return make_error(EINVAL, "bad relative time '" + text + "' (try +90d)");
    int64_t n = std::stoll(digits);
    int64_t scale = 1;
    switch (unit) {
      case 'd': scale = 86400; break;
      case 'h': scale = 3600; break;
      case 'm': scale = 60; break;
      case 's': scale = 1; break;
      default:
        if (!std::isdigit(static_cast<unsigned char>(unit)))
          return make_error(EINVAL, "unit must be d, h, m or s in '" + text + "'");
    }
    return now + (text[0] == '+' ? 1 : -1) * n * scale;
  }
  if (!text.empty() && text[0] == '@') {
    try {
      return static_cast<int64_t>(std::stoll(text.substr(1)));
    } catch (...) {
      return make_error(EINVAL, "bad unix time '" + text + "'");
    }
  }
  std::tm tm{};
  const char* end = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!end || *end) {
    tm = {};
    end = strptime(text.c_str(), "%Y-%m-%d", &tm);
  }
  if (!end || *end)
    return make_error(EINVAL, "bad time '" + text + "' (2027-06-30, 2027-06-30T12:00:00, +90d)");
  return static_cast<int64_t>(timegm(&tm));
}

std::string format_time(int64_t t) {
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

Result<uint32_t> resolve_user(const std::string& s) {
  if (passwd* pw = ::getpwnam(s.c_str())) return static_cast<uint32_t>(pw->pw_uid);
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos)
    return static_cast<uint32_t>(std::stoul(s));
  return make_error(ENOENT, "no such user '" + s + "'");
}

Result<uint32_t> resolve_group(const std::string& s) {
  if (group* gr = ::getgrnam(s.c_str())) return static_cast<uint32_t>(gr->gr_gid);
  if (!s.empty() && s.find_first_not_of("0123456789") == std::string::npos)
    return static_cast<uint32_t>(std::stoul(s));
  return make_error(ENOENT, "no such group '" + s + "'");
}

}  // namespace obia::ctl
