// The archive directory (ARCHITECTURE §4): where each part lives, the secret and the config.
//   ARCHIVE/config.json   prefix, format version
//   ARCHIVE/secret        32 random bytes, mode 0600 (keys every HMAC: pseudonyms, UIDs, dates)
//   ARCHIVE/catalog/      LMDB environment
//   ARCHIVE/objects/      content-addressed de-identified files
//   ARCHIVE/tmp/          object writes in flight
//   ARCHIVE/staging/<C>/  inbox files written through the mount, until ingested
//   ARCHIVE/quarantine/<C>/  rejected files and their .reason
//   ARCHIVE/run/          daemon lock, control socket, log
#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

#include "common/result.h"

namespace obia::store {

struct ArchivePaths {
  std::filesystem::path root;
  std::filesystem::path config() const { return root / "config.json"; }
  std::filesystem::path secret() const { return root / "secret"; }
  std::filesystem::path catalog() const { return root / "catalog"; }
  std::filesystem::path objects() const { return root / "objects"; }
  std::filesystem::path staging() const { return root / "staging"; }
  std::filesystem::path quarantine() const { return root / "quarantine"; }
  std::filesystem::path run() const { return root / "run"; }
  std::filesystem::path control_socket() const { return run() / "control.sock"; }
  std::filesystem::path lock_file() const { return run() / "obiafs.lock"; }
  std::filesystem::path log_file() const { return run() / "obiafs.log"; }
};

using SecretBytes = std::array<uint8_t, 32>;

// Creates the directory tree, a fresh secret and the config. Fails if ARCHIVE already holds one.
Status init_archive(const ArchivePaths& paths, const std::string& prefix);
// Checks that `root` is an archive and returns its paths (absolute).
Result<ArchivePaths> open_archive(const std::filesystem::path& root);
Result<SecretBytes> load_secret(const ArchivePaths& paths);
Result<std::string> load_prefix(const ArchivePaths& paths);
bool valid_prefix(const std::string& prefix);

}  // namespace obia::store
