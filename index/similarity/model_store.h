// Where similarity state lives in the archive directory, and installed models:
//   ARCHIVE/similarity/index.bin        persisted HashIndex of the active generation
//   ARCHIVE/similarity/models/<h>.pt    TorchScript models, named by a hash of their bytes
//   ARCHIVE/similarity/model.json       {"spec": ...}: the hasher the next reindex will use
//   ARCHIVE/similarity/reindex.lock     held (flock) by a running reindex
// Models are never overwritten, so a daemon still serving the previous generation keeps
// loading the model its codes came from.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"
#include "store/archive.h"

namespace obia::similarity {

std::filesystem::path similarity_dir(const store::ArchivePaths& paths);
std::filesystem::path models_dir(const store::ArchivePaths& paths);
std::filesystem::path index_file(const store::ArchivePaths& paths);
std::filesystem::path reindex_lock_file(const store::ArchivePaths& paths);

Status ensure_similarity_dirs(const store::ArchivePaths& paths);

// Checks `model` against the contract (torch_hasher.h) at input size `size`, copies it into
// models/ and records it in model.json. Returns the new spec (model/K/N/FILE).
Result<std::string> install_model(const store::ArchivePaths& paths,
                                  const std::filesystem::path& model, unsigned size);
// Records a spec (e.g. projection/64/128) as the one the next reindex uses.
Status set_installed_spec(const store::ArchivePaths& paths, const std::string& spec);
// model.json's spec, or the default training-free spec when nothing was installed.
Result<std::string> installed_spec(const store::ArchivePaths& paths);

}  // namespace obia::similarity
