// Archive directory creation and the secret.
#include "store/archive.h"

#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "common/fd.h"

namespace obia::store {
namespace fs = std::filesystem;

bool valid_prefix(const std::string& prefix) {
  if (prefix.empty() || prefix.size() > 12) return false;
  for (char c : prefix)
    if (c < 'A' || c > 'Z') return false;
  return true;
}

Status init_archive(const ArchivePaths& paths, const std::string& prefix) {
  if (!valid_prefix(prefix))
    return make_error(EINVAL, "prefix must be 1-12 capital letters A-Z, got '" + prefix + "'");
  std::error_code ec;
  if (fs::exists(paths.config(), ec))
    return make_error(EEXIST, paths.root.string() + " already holds an archive");
  for (const fs::path& d : {paths.root, paths.catalog(), paths.objects(), paths.root / "tmp",
                            paths.staging(), paths.quarantine(), paths.run()}) {
    fs::create_directories(d, ec);
    if (ec) return make_error(EIO, "cannot create " + d.string() + ": " + ec.message());
  }
  fs::permissions(paths.root, fs::perms::owner_all, ec);
  SecretBytes secret{};
  if (::getrandom(secret.data(), secret.size(), 0) != static_cast<ssize_t>(secret.size()))
    return errno_error("getrandom");
  OBIA_TRY(write_file_atomic(paths.secret(),
                             std::string_view(reinterpret_cast<const char*>(secret.data()),
                                              secret.size()),
                             0600));
  nlohmann::json config = {{"format", 1}, {"prefix", prefix}};
  return write_file_atomic(paths.config(), config.dump(2) + "\n", 0644);
}

Result<ArchivePaths> open_archive(const fs::path& root) {
  std::error_code ec;
  fs::path abs = fs::absolute(root, ec);
  if (ec) return make_error(EINVAL, "bad archive path " + root.string());
  ArchivePaths p{abs.lexically_normal()};
  if (!fs::exists(p.config(), ec))
    return make_error(ENOENT, root.string() + " is not an OBIA archive (no config.json; run obiactl init)");
  for (const fs::path& d : {p.root / "tmp", p.staging(), p.quarantine(), p.run()})
    fs::create_directories(d, ec);
  return p;
}

Result<SecretBytes> load_secret(const ArchivePaths& paths) {
  auto data = read_file(paths.secret());
  if (!data) return data.error();
  if (data->size() != 32) return make_error(EIO, "archive secret is damaged (expected 32 bytes)");
  SecretBytes s{};
  std::copy(data->begin(), data->end(), reinterpret_cast<char*>(s.data()));
  return s;
}

Result<std::string> load_prefix(const ArchivePaths& paths) {
  auto data = read_file(paths.config());
  if (!data) return data.error();
  auto j = nlohmann::json::parse(*data, nullptr, false);
  if (j.is_discarded() || !j.contains("prefix") || !j["prefix"].is_string())
    return make_error(EIO, "archive config.json is damaged");
  return j["prefix"].get<std::string>();
}

}  // namespace obia::store
