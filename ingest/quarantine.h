// Moving a rejected file from staging to quarantine/<collection>/<relative path>, beside a
// NAME.reason file (reason code, explanation, how to fix). The reason is written first, then the
// file renamed, so a crash leaves the file either still staged (and retried) or quarantined.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"
#include "ingest/outcome.h"
#include "store/archive.h"

namespace obia::ingest {

// Returns the path of the quarantined file relative to quarantine/<collection>/.
Result<std::filesystem::path> quarantine_file(const store::ArchivePaths& paths,
                                              const std::string& collection,
                                              const std::filesystem::path& relpath,
                                              const Outcome& outcome);
std::string reason_text(const Outcome& outcome, const std::string& submitted_as);

}  // namespace obia::ingest
