// Benchmark: code computation at ingest on one core, i.e. what SimilarityService::on_archived
// does per image: decode the first frame of the de-identified dataset (already parsed), resize
// to N×N, hash with the active hasher, and compute the 256-bit fingerprint.
//   bench_similarity_codes [--dir DICOMDIR | --synthetic 512] [--count 500]
//                          [--hasher projection/64/128 | --model FILE.pt --size 128]
// With --dir every *.dcm (and extension-less file) below DIR is loaded once, in memory; with
// --synthetic S, CT-like 16-bit S×S images are generated. The rate excludes file reading.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "index/similarity/decode.h"
#include "index/similarity/hasher.h"
#include "index/similarity/projection_hasher.h"
#include "index/similarity/torch_hasher.h"

using namespace obia::similarity;
namespace fs = std::filesystem;

namespace {

std::unique_ptr<DcmFileFormat> synthetic_ct(int size, std::mt19937_64& rng) {
  auto file = std::make_unique<DcmFileFormat>();
  DcmDataset* ds = file->getDataset();
  ds->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
  ds->putAndInsertString(DCM_Modality, "CT");
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(size));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(size));
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_BitsStored, 12);
  ds->putAndInsertUint16(DCM_HighBit, 11);
  ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
  ds->putAndInsertString(DCM_RescaleIntercept, "-1024");
  ds->putAndInsertString(DCM_RescaleSlope, "1");
  ds->putAndInsertString(DCM_WindowCenter, "40");
  ds->putAndInsertString(DCM_WindowWidth, "400");
  std::vector<Uint16> px(static_cast<size_t>(size) * size);
  std::normal_distribution<double> noise(0, 20);
  double cx = size / 2.0 + noise(rng) / 4, cy = size / 2.0 + noise(rng) / 4;
  for (int y = 0; y < size; ++y)
    for (int x = 0; x < size; ++x) {
      double r = std::hypot((x - cx) / (0.42 * size), (y - cy) / (0.32 * size));
      double hu = r < 1 ? (r < 0.7 ? 40 : -800) : -1000;
      px[static_cast<size_t>(y) * size + x] = static_cast<Uint16>(std::clamp(hu + 1024 + noise(rng), 0.0, 4095.0));
    }
  ds->putAndInsertUint16Array(DCM_PixelData, px.data(), px.size());
  return file;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir, hasher_spec = default_spec(), model;
  int synthetic = 512;
  size_t count = 500;
  unsigned size = kDefaultSize;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string k = argv[i], v = argv[i + 1];
    if (k == "--dir") dir = v;
    else if (k == "--synthetic") synthetic = std::stoi(v);
    else if (k == "--count") count = std::stoull(v);
    else if (k == "--hasher") hasher_spec = v;
    else if (k == "--model") model = v;
    else if (k == "--size") size = static_cast<unsigned>(std::stoul(v));
    else {
      std::fprintf(stderr, "unknown option %s\n", k.c_str());
      return 2;
    }
  }
  set_torch_threads(1);  // one core
  register_dicom_codecs();
  std::unique_ptr<Hasher> hasher;
  if (!model.empty()) {
    auto bits = probe_torch_model(model, size);
    if (!bits) return std::fprintf(stderr, "%s\n", bits.error().message.c_str()), 1;
    auto h = make_hasher(HasherSpec{"model", *bits, size, fs::path(model).filename().string()}.str(),
                         fs::path(model).parent_path());
    if (!h) return std::fprintf(stderr, "%s\n", h.error().message.c_str()), 1;
    hasher = std::move(*h);
  } else {
    auto h = make_hasher(hasher_spec, ".");
    if (!h) return std::fprintf(stderr, "%s\n", h.error().message.c_str()), 1;
    hasher = std::move(*h);
  }

  std::vector<std::unique_ptr<DcmFileFormat>> files;
  std::mt19937_64 rng(7);
  if (!dir.empty()) {
    for (auto& e : fs::recursive_directory_iterator(dir)) {
      if (!e.is_regular_file() || files.size() >= count) continue;
      auto f = std::make_unique<DcmFileFormat>();
      if (f->loadFile(e.path().c_str()).good() && f->loadAllDataIntoMemory().good() &&
          f->getDataset()->tagExists(DCM_PixelData))
        files.push_back(std::move(f));
    }
  } else {
    for (size_t i = 0; i < std::min<size_t>(count, 64); ++i) files.push_back(synthetic_ct(synthetic, rng));
  }
  if (files.empty()) return std::fprintf(stderr, "no images\n"), 1;

  size_t done = 0, failed = 0;
  double decode_s = 0, hash_s = 0;
  auto t0 = std::chrono::steady_clock::now();
  for (size_t i = 0; i < count; ++i) {
    DcmFileFormat& f = *files[i % files.size()];
    auto a = std::chrono::steady_clock::now();
    auto img = decode_dicom(*f.getDataset());
    auto b = std::chrono::steady_clock::now();
    if (!img) {
      ++failed;
      continue;
    }
    // As SimilarityService::compute: one resize to 128 serves the default hasher and the
    // fingerprint.
    GrayImage small = resize(*img, 128, 128);
    auto code = hash_image(*hasher, hasher->input_size() == 128 ? small : *img);
    auto fp = fingerprint(small);
    auto c = std::chrono::steady_clock::now();
    if (!code || !fp) ++failed;
    else ++done;
    decode_s += std::chrono::duration<double>(b - a).count();
    hash_s += std::chrono::duration<double>(c - b).count();
  }
  double total = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("%s: %zu images (%zu distinct%s), %zu failed\n", hasher->spec().c_str(), done,
              files.size(), dir.empty() ? (", synthetic CT " + std::to_string(synthetic) + " px").c_str() : "",
              failed);
  std::printf("rate %.0f images/s on one core; per image: decode %.2f ms, code+fingerprint %.2f ms\n",
              static_cast<double>(done) / total, 1000 * decode_s / static_cast<double>(count),
              1000 * hash_s / static_cast<double>(count));
  return 0;
}
