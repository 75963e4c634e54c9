// Test support: temp dirs and catalog building for the metadata tests.
#include "support.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace obia::testing {

TempDir::TempDir() {
  // tmpfs when there is one: every catalog commit syncs, which is slow on a real disk.
  std::error_code ec;
  std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec)
                                   ? std::filesystem::path("/dev/shm")
                                   : std::filesystem::temp_directory_path();
  std::string tmpl = (base / "obia-meta-XXXXXX").string();
  path = ::mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

CatalogBuilder::CatalogBuilder() {
  auto c = index::Catalog::open(dir_.path / "catalog", true, "OBIA");
  if (!c) throw std::runtime_error(c.error().message);
  cat_ = std::move(*c);
}

index::NodeId CatalogBuilder::collection(const std::string& title,
                                         std::map<std::string, std::string> attrs) {
  attrs["title"] = title;
  auto n = cat_->create_collection(attrs, 1000);
  if (!n) throw std::runtime_error(n.error().message);
  return n->id;
}

index::NodeId CatalogBuilder::individual(index::NodeId collection, const index::PatientKey& key) {
  auto n = cat_->individual_for(collection, key, 1000);
  if (!n) throw std::runtime_error(n.error().message);
  return n->id;
}

index::NodeId CatalogBuilder::individual(index::NodeId collection, uint8_t key_byte) {
  index::PatientKey k{};
  k.fill(key_byte);
  return individual(collection, k);
}

void CatalogBuilder::image(index::NodeId collection, index::NodeId individual,
                           const std::string& study, const std::string& series,
                           const std::string& modality, const std::string& bodypart,
                           const StudyFacts& facts, uint64_t size) {
  index::ImageCommit c;
  c.collection = collection;
  c.individual = individual;
  c.study_uid = "2.25.1." + std::to_string(std::hash<std::string>{}(study) % 100000000);
  c.series_uid =
      "2.25.2." + std::to_string(std::hash<std::string>{}(study + "/" + series) % 100000000);
  c.sop_uid = "2.25.3." + std::to_string(next_sop_);
  c.series_number = 1;
  c.modality = modality;
  c.instance_number = 0;
  if (!facts.sex.empty()) c.study_attrs["sex"] = facts.sex;
  if (!facts.age.empty()) c.study_attrs["age"] = facts.age;
  if (!facts.date.empty()) c.study_attrs["date"] = facts.date;
  c.series_attrs["modality"] = modality;
  if (!bodypart.empty()) c.series_attrs["bodypart"] = bodypart;
  std::string content = "object-" + std::to_string(next_sop_++);
  c.object.hash =
      store::content_hash({reinterpret_cast<const uint8_t*>(content.data()), content.size()});
  c.size = size;
  c.now = 2000;
  auto r = cat_->commit_image(c);
  if (!r) throw std::runtime_error(r.error().message);
  if (r->status != index::CommitStatus::Archived)
    throw std::runtime_error("not archived: " + r->detail);
}

void CatalogBuilder::reopen() {
  cat_.reset();
  auto c = index::Catalog::open(catalog_dir(), false);
  if (!c) throw std::runtime_error("reopen: " + c.error().message);
  cat_ = std::move(*c);
}

}  // namespace obia::testing
