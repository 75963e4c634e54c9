// Test support for the metadata tests: a catalog in a temp dir and a compact way to archive
// images into it (the catalog commit without the pipeline).
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "index/catalog.h"

namespace obia::testing {

struct TempDir {
  std::filesystem::path path;
  TempDir();
  ~TempDir();
};

struct StudyFacts {
  std::string sex, age, date;  // DICOM PatientSex, PatientAge (AS), StudyDate (DA, shifted)
};

class CatalogBuilder {
 public:
  CatalogBuilder();
  index::Catalog& catalog() { return *cat_; }
  void reopen();  // closes the catalog and opens it again (what a remount does)
  std::filesystem::path catalog_dir() const { return dir_.path / "catalog"; }
  index::NodeId collection(const std::string& title, std::map<std::string, std::string> attrs = {});
  // Reserves (or finds) the individual of `key` in `collection`.
  index::NodeId individual(index::NodeId collection, const index::PatientKey& key);
  index::NodeId individual(index::NodeId collection, uint8_t key_byte);
  // Archives one image; UIDs are made unique per argument, so the same study/series names
  // refer to the same study/series.
  void image(index::NodeId collection, index::NodeId individual, const std::string& study,
             const std::string& series, const std::string& modality, const std::string& bodypart,
             const StudyFacts& facts, uint64_t size = 1000);

 private:
  TempDir dir_;
  std::unique_ptr<index::Catalog> cat_;
  uint64_t next_sop_ = 1;
};

}  // namespace obia::testing
