// Test material for the similarity tests: deterministic synthetic images, their altered
// copies, in-memory DICOM files built from them, PNG/JPEG encodings, and a temporary archive
// with images committed to its catalog and object store.
#pragma once

#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "index/catalog.h"
#include "index/similarity/image.h"
#include "store/archive.h"
#include "store/object_store.h"

namespace simtest {

using obia::similarity::GrayImage;

// A phantom: ellipses of random position, size and brightness on a dark field. Images of the
// same `family` share their large structures and differ in details.
GrayImage phantom(uint64_t family, uint64_t variant, int size = 128);
// A slightly altered copy: Gaussian noise (sigma), a shift by (dx, dy) pixels with edge
// replication, and intensity a·x + b.
GrayImage altered(const GrayImage& img, uint64_t seed, float sigma = 0.02f, int dx = 3, int dy = 2,
                  float a = 1.05f, float b = 0.02f);

struct DicomOptions {
  int frames = 1;
  bool monochrome1 = false;
  bool rgb = false;
  double slope = 1, intercept = -1024;  // stored = (value - intercept) / slope
  std::string modality = "CT";
  bool window = true;  // WindowCenter/Width covering the full range
};
// A CT-like DICOM file (16-bit, 12 stored) whose display values are `img`; frames after the
// first are the inverted image (so tests see which frame was used).
std::unique_ptr<DcmFileFormat> make_dicom(const GrayImage& img, const DicomOptions& o = {},
                                          const std::string& sop_uid = "1.2.3.4");
std::vector<uint8_t> dicom_bytes(DcmFileFormat& file);
std::vector<uint8_t> png_bytes(const GrayImage& img);
std::vector<uint8_t> jpeg_bytes(const GrayImage& img, int quality = 95);

double mean_abs_diff(const GrayImage& a, const GrayImage& b);

// A temporary directory removed at the end of the test.
struct TempDir {
  std::filesystem::path path;
  TempDir();
  ~TempDir();
};

// An initialised archive with one collection ("disease" attribute given) and helpers to
// archive DICOM files the way the pipeline does (object write, then catalog commit).
struct TestArchive {
  TempDir dir;
  obia::store::ArchivePaths paths;
  std::unique_ptr<obia::index::Catalog> catalog;
  std::unique_ptr<obia::store::ObjectStore> objects;
  TestArchive();
  obia::index::NodeId collection(const std::string& disease);
  // Archives `file` in series `series` (uid suffix) of one patient; returns the image id.
  obia::index::NodeId archive(obia::index::NodeId collection, DcmFileFormat& file,
                              const std::string& series, const std::string& modality,
                              const std::string& sop_uid);
  int next_instance = 1;
};

}  // namespace simtest
