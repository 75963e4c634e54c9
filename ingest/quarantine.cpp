// Quarantine moves and NAME.reason files.
#include "ingest/quarantine.h"

#include <unistd.h>

#include <ctime>

#include "common/fd.h"

namespace obia::ingest {
namespace fs = std::filesystem;

std::string reason_text(const Outcome& o, const std::string& submitted_as) {
  char ts[32];
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  std::strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ", &tm);
  std::string s;
  s += "reason: " + std::string(reason_code(o.reason)) + "\n";
  if (!o.detail.empty()) s += "detail: " + o.detail + "\n";
  s += "explanation: " + std::string(reason_explanation(o.reason)) + "\n";
  s += "fix: " + std::string(reason_fix(o.reason)) + "\n";
  s += "submitted-as: " + submitted_as + "\n";
  s += "time: " + std::string(ts) + "\n";
  return s;
}

Result<fs::path> quarantine_file(const store::ArchivePaths& paths, const std::string& collection,
                                 const fs::path& relpath, const Outcome& outcome) {
  fs::path src = paths.staging() / collection / relpath;
  fs::path rel = relpath;
  fs::path dst = paths.quarantine() / collection / rel;
  std::error_code ec;
  fs::create_directories(dst.parent_path(), ec);
  if (ec) return make_error(EIO, "cannot create quarantine folder: " + ec.message());
  // Never replace an earlier rejected file of the same name: add .2, .3, ...
  // (A .reason without its file is the leftover of a crash between the two steps: reuse it.)
  for (int n = 2; fs::exists(dst, ec); ++n) {
    rel = relpath.string() + "." + std::to_string(n);
    dst = paths.quarantine() / collection / rel;
  }
  OBIA_TRY(write_file_atomic(dst.string() + ".reason",
                             reason_text(outcome, "inbox/" + collection + "/" + relpath.string())));
  if (::rename(src.c_str(), dst.c_str()) != 0) return errno_error("moving file to quarantine");
  OBIA_TRY(fsync_dir(dst.parent_path()));
  OBIA_TRY(fsync_dir(src.parent_path()));
  return rel;
}

}  // namespace obia::ingest
