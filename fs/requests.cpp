// Access requests through the filesystem: parsing, recording, status text.
#include "fs/requests.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <sstream>

#include "common/log.h"

namespace obia::fs {
namespace {

std::string trim(std::string s) {
  auto not_space = [](unsigned char ch) { return !std::isspace(ch); };
  s.erase(s.begin(), std::find_if(s.begin(), s.end(), not_space));
  s.erase(std::find_if(s.rbegin(), s.rend(), not_space).base(), s.end());
  return s;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return s;
}

std::string date(int64_t t) {
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M UTC", &tm);
  return buf;
}

}  // namespace

RequestText parse_request(const std::string& text) {
  RequestText r;
  std::istringstream in(text);
  std::string line, free_text;
  while (std::getline(in, line)) {
    std::string l = lower(trim(line));
    if (l.rfind("purpose:", 0) == 0) {
      r.purpose = trim(trim(line).substr(8));
    } else if (l.rfind("accept-terms:", 0) == 0 || l.rfind("accept terms:", 0) == 0) {
      std::string v = trim(l.substr(13));
      r.terms_accepted = v == "yes" || v == "true" || v == "i accept";
    } else if (l.find("i accept the terms") != std::string::npos) {
      r.terms_accepted = true;
    } else if (!l.empty()) {
      free_text += (free_text.empty() ? "" : " ") + trim(line);
    }
  }
  if (r.purpose.empty()) r.purpose = free_text;
  if (r.purpose.size() > 2000) r.purpose.resize(2000);
  return r;
}

std::string request_status(Context& c, index::NodeId collection, const index::Caller& caller) {
  auto node = c.catalog->get(collection);
  if (!node) return "error: " + node.error().message + "\n";
  std::string out = "collection: " + node->accession + " (" + node->attr("title") + ")\n";
  auto p = c.policy_cache.get(collection);
  if (!p) return out + "error: " + p.error().message + "\n";
  out += "access: " + std::string(p->controlled ? "controlled" : "open") + "\n";
  out += "you (uid " + std::to_string(caller.uid) + "): " +
         (index::may_read(*p, caller) ? "may read this collection" : "no access yet") + "\n";
  if (c.policies) {
    auto r = c.policies->latest_request(collection, caller.uid);
    if (r.ok() && *r) {
      const auto& q = **r;
      out += "request: #" + std::to_string(q.id) + " " + q.status + ", submitted " + date(q.time) +
             "\n";
      out += "purpose: " + q.purpose + "\n";
      if (q.status == "approved")
        out += "decision: approved " + date(q.decided_at) +
               (q.expires ? ", access until " + date(q.expires) : std::string()) + "\n";
      if (!q.note.empty()) out += "note: " + q.note + "\n";
    } else {
      out += "request: none\n";
    }
  }
  if (p->controlled && !index::may_read(*p, caller))
    out += "\nTo ask for access, state your purpose and accept the terms (requests/TERMS.txt):\n"
           "  printf 'purpose: ...\\naccept-terms: yes\\n' > requests/" +
           node->accession + "\n";
  return out;
}

void record_request(Context& c, index::NodeId collection, uint32_t uid, const std::string& text) {
  if (!c.policies) return;
  RequestText t = parse_request(text);
  index::AccessRequest r;
  r.collection = collection;
  r.uid = uid;
  r.purpose = t.purpose;
  r.terms_accepted = t.terms_accepted;
  r.time = std::time(nullptr);
  if (!t.terms_accepted) {
    r.status = "invalid";
    r.note = "the terms were not accepted: add a line 'accept-terms: yes'";
  } else if (t.purpose.empty()) {
    r.status = "invalid";
    r.note = "no purpose stated: add a line 'purpose: ...'";
  }
  auto added = c.policies->add_request(r);
  if (!added) log::error("access request not recorded: " + added.error().message);
  else log::info("access request #" + std::to_string(added->id) + " by uid " + std::to_string(uid));
}

}  // namespace obia::fs
