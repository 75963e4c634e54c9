// requests/<collection>: researchers ask for access by writing a text file (purpose and
// acceptance of TERMS.txt); reading the same path shows their own request's status.
#pragma once

#include <cstdint>
#include <string>

#include "fs/context.h"

namespace obia::fs {

struct RequestText {
  std::string purpose;
  bool terms_accepted = false;
};

RequestText parse_request(const std::string& text);
// What `uid` reads at requests/<collection>.
std::string request_status(Context& c, index::NodeId collection, const index::Caller& caller);
// Records what `uid` wrote (at release); errors are logged, the status file shows the outcome.
void record_request(Context& c, index::NodeId collection, uint32_t uid, const std::string& text);

}  // namespace obia::fs
