// Installed models and the similarity directory layout.
#include "index/similarity/model_store.h"

#include <fcntl.h>
#include <unistd.h>
#include <xxhash.h>

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "common/fd.h"
#include "index/similarity/hasher.h"
#include "index/similarity/torch_hasher.h"

namespace obia::similarity {
namespace {

Status write_atomic(const std::filesystem::path& file, const std::string& bytes) {
  std::filesystem::path tmp = file;
  tmp += ".tmp." + std::to_string(::getpid());
  auto fd = open_fd(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (!fd) return fd.error();
  size_t off = 0;
  while (off < bytes.size()) {
    ssize_t w = ::write(fd->get(), bytes.data() + off, bytes.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      ::unlink(tmp.c_str());
      return make_error(EIO, "writing " + tmp.string());
    }
    off += static_cast<size_t>(w);
  }
  if (::fsync(fd->get()) != 0 || ::rename(tmp.c_str(), file.c_str()) != 0) {
    int e = errno;
    ::unlink(tmp.c_str());
    return make_error(e, "saving " + file.string());
  }
  return {};
}

}  // namespace

std::filesystem::path similarity_dir(const store::ArchivePaths& p) { return p.root / "similarity"; }
std::filesystem::path models_dir(const store::ArchivePaths& p) { return similarity_dir(p) / "models"; }
std::filesystem::path index_file(const store::ArchivePaths& p) { return similarity_dir(p) / "index.bin"; }
std::filesystem::path reindex_lock_file(const store::ArchivePaths& p) {
  return similarity_dir(p) / "reindex.lock";
}

Status ensure_similarity_dirs(const store::ArchivePaths& paths) {
  std::error_code ec;
  std::filesystem::create_directories(models_dir(paths), ec);
  if (ec) return make_error(EIO, "cannot create " + models_dir(paths).string() + ": " + ec.message());
  return {};
}

Result<std::string> install_model(const store::ArchivePaths& paths,
                                  const std::filesystem::path& model, unsigned size) {
  OBIA_TRY(ensure_similarity_dirs(paths));
  std::ifstream in(model, std::ios::binary);
  if (!in) return make_error(ENOENT, "cannot read " + model.string());
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto bits = probe_torch_model(model, size);
  if (!bits) return bits.error();
  char name[40];
  std::snprintf(name, sizeof name, "%016llx.pt",
                static_cast<unsigned long long>(XXH64(bytes.data(), bytes.size(), 0)));
  std::filesystem::path dest = models_dir(paths) / name;
  if (!std::filesystem::exists(dest)) OBIA_TRY(write_atomic(dest, bytes));
  std::string spec = HasherSpec{"model", *bits, size, name}.str();
  OBIA_TRY(set_installed_spec(paths, spec));
  return spec;
}

Status set_installed_spec(const store::ArchivePaths& paths, const std::string& spec) {
  OBIA_TRY(ensure_similarity_dirs(paths));
  auto s = HasherSpec::parse(spec);
  if (!s) return s.error();
  nlohmann::json j = {{"spec", spec}, {"installed", static_cast<int64_t>(std::time(nullptr))}};
  return write_atomic(similarity_dir(paths) / "model.json", j.dump(2) + "\n");
}

Result<std::string> installed_spec(const store::ArchivePaths& paths) {
  std::ifstream in(similarity_dir(paths) / "model.json");
  if (!in) return default_spec();
  try {
    auto j = nlohmann::json::parse(in);
    std::string spec = j.at("spec").get<std::string>();
    auto s = HasherSpec::parse(spec);
    if (!s) return s.error();
    return spec;
  } catch (const std::exception&) {
    return make_error(EIO, "damaged " + (similarity_dir(paths) / "model.json").string());
  }
}

}  // namespace obia::similarity
