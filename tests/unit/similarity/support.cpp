// Synthetic images, DICOM/PNG/JPEG encodings and a temporary archive for similarity tests.
#include "support.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <png.h>
// jpeglib.h needs FILE and size_t first.
#include <cstdio>
#include <jpeglib.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "ingest/dicom_io.h"

namespace simtest {
namespace {

struct Rng {
  uint64_t s;
  uint64_t next() {
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double range(double a, double b) { return a + (b - a) * uniform(); }
  double normal() {
    double u = std::max(1e-12, uniform()), v = uniform();
    return std::sqrt(-2 * std::log(u)) * std::cos(6.283185307179586 * v);
  }
};

struct Ellipse {
  double cx, cy, rx, ry, angle, value;
};

void draw(GrayImage& img, const Ellipse& e) {
  const int n = img.width;
  double c = std::cos(e.angle), s = std::sin(e.angle);
  for (int y = 0; y < n; ++y)
    for (int x = 0; x < n; ++x) {
      double u = (x + 0.5) / n - e.cx, v = (y + 0.5) / n - e.cy;
      double a = (u * c + v * s) / e.rx, b = (-u * s + v * c) / e.ry;
      if (a * a + b * b <= 1) img.pixels[static_cast<size_t>(y) * n + x] += static_cast<float>(e.value);
    }
}

}  // namespace

GrayImage phantom(uint64_t family, uint64_t variant, int size) {
  GrayImage img;
  img.width = img.height = size;
  img.pixels.assign(static_cast<size_t>(size) * size, 0.05f);
  Rng fam{family * 7919 + 17};
  Rng var{family * 1000003 + variant * 7 + 3};
  int big = 3 + static_cast<int>(fam.next() % 3);
  for (int i = 0; i < big; ++i) {
    Ellipse e{fam.range(0.3, 0.7), fam.range(0.3, 0.7), fam.range(0.12, 0.35), fam.range(0.12, 0.35),
              fam.range(0, 3.14), fam.range(0.15, 0.4)};
    e.cx += var.range(-0.03, 0.03);
    e.cy += var.range(-0.03, 0.03);
    e.value *= var.range(0.9, 1.1);
    draw(img, e);
  }
  int small = 3 + static_cast<int>(var.next() % 4);
  for (int i = 0; i < small; ++i)
    draw(img, Ellipse{var.range(0.2, 0.8), var.range(0.2, 0.8), var.range(0.03, 0.1),
                      var.range(0.03, 0.1), var.range(0, 3.14), var.range(-0.2, 0.3)});
  for (float& p : img.pixels) p = std::clamp(p, 0.0f, 1.0f);
  return img;
}

GrayImage altered(const GrayImage& img, uint64_t seed, float sigma, int dx, int dy, float a, float b) {
  Rng rng{seed};
  GrayImage out = img;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x) {
      int sx = std::clamp(x - dx, 0, img.width - 1), sy = std::clamp(y - dy, 0, img.height - 1);
      float v = a * img.at(sx, sy) + b + sigma * static_cast<float>(rng.normal());
      out.pixels[static_cast<size_t>(y) * img.width + x] = std::clamp(v, 0.0f, 1.0f);
    }
  return out;
}

std::unique_ptr<DcmFileFormat> make_dicom(const GrayImage& img, const DicomOptions& o,
                                          const std::string& sop_uid) {
  auto file = std::make_unique<DcmFileFormat>();
  DcmDataset* ds = file->getDataset();
  ds->putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage);
  ds->putAndInsertString(DCM_SOPInstanceUID, sop_uid.c_str());
  ds->putAndInsertString(DCM_Modality, o.modality.c_str());
  ds->putAndInsertUint16(DCM_Rows, static_cast<Uint16>(img.height));
  ds->putAndInsertUint16(DCM_Columns, static_cast<Uint16>(img.width));
  const size_t n = img.pixels.size();
  if (o.rgb) {
    ds->putAndInsertUint16(DCM_SamplesPerPixel, 3);
    ds->putAndInsertString(DCM_PhotometricInterpretation, "RGB");
    ds->putAndInsertUint16(DCM_PlanarConfiguration, 0);
    ds->putAndInsertUint16(DCM_BitsAllocated, 8);
    ds->putAndInsertUint16(DCM_BitsStored, 8);
    ds->putAndInsertUint16(DCM_HighBit, 7);
    ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
    std::vector<Uint8> px(n * 3 * static_cast<size_t>(o.frames));
    for (int f = 0; f < o.frames; ++f)
      for (size_t i = 0; i < n; ++i) {
        float v = f == 0 ? img.pixels[i] : 1.0f - img.pixels[i];
        auto u = static_cast<Uint8>(std::lround(v * 255));
        for (int c = 0; c < 3; ++c) px[(static_cast<size_t>(f) * n + i) * 3 + c] = u;
      }
    if (o.frames > 1) ds->putAndInsertString(DCM_NumberOfFrames, std::to_string(o.frames).c_str());
    ds->putAndInsertUint8Array(DCM_PixelData, px.data(), px.size());
    return file;
  }
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds->putAndInsertString(DCM_PhotometricInterpretation, o.monochrome1 ? "MONOCHROME1" : "MONOCHROME2");
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_BitsStored, 12);
  ds->putAndInsertUint16(DCM_HighBit, 11);
  ds->putAndInsertUint16(DCM_PixelRepresentation, 0);
  ds->putAndInsertString(DCM_RescaleSlope, std::to_string(o.slope).c_str());
  ds->putAndInsertString(DCM_RescaleIntercept, std::to_string(o.intercept).c_str());
  if (o.window) {
    // Covers stored values 0..4000 exactly: display = stored / 4000.
    double lo = o.intercept, hi = o.intercept + 4000 * o.slope;
    ds->putAndInsertString(DCM_WindowCenter, std::to_string((lo + hi) / 2 + 0.5).c_str());
    ds->putAndInsertString(DCM_WindowWidth, std::to_string(hi - lo + 1).c_str());
  }
  std::vector<Uint16> px(n * static_cast<size_t>(o.frames));
  for (int f = 0; f < o.frames; ++f)
    for (size_t i = 0; i < n; ++i) {
      float v = f == 0 ? img.pixels[i] : 1.0f - img.pixels[i];
      if (o.monochrome1) v = 1.0f - v;
      px[static_cast<size_t>(f) * n + i] = static_cast<Uint16>(std::lround(v * 4000));
    }
  if (o.frames > 1) ds->putAndInsertString(DCM_NumberOfFrames, std::to_string(o.frames).c_str());
  ds->putAndInsertUint16Array(DCM_PixelData, px.data(), px.size());
  return file;
}

std::vector<uint8_t> dicom_bytes(DcmFileFormat& file) {
  auto b = obia::ingest::serialize_dicom(file);
  return b ? *b : std::vector<uint8_t>{};
}

std::vector<uint8_t> png_bytes(const GrayImage& img) {
  auto px = obia::similarity::to_u8(img);
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = static_cast<png_uint_32>(img.width);
  image.height = static_cast<png_uint_32>(img.height);
  image.format = PNG_FORMAT_GRAY;
  png_alloc_size_t size = 0;
  png_image_write_to_memory(&image, nullptr, &size, 0, px.data(), 0, nullptr);
  std::vector<uint8_t> out(size);
  png_image_write_to_memory(&image, out.data(), &size, 0, px.data(), 0, nullptr);
  out.resize(size);
  return out;
}

std::vector<uint8_t> jpeg_bytes(const GrayImage& img, int quality) {
  auto px = obia::similarity::to_u8(img);
  jpeg_compress_struct c;
  jpeg_error_mgr err;
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buf = nullptr;
  unsigned long len = 0;
  jpeg_mem_dest(&c, &buf, &len);
  c.image_width = static_cast<JDIMENSION>(img.width);
  c.image_height = static_cast<JDIMENSION>(img.height);
  c.input_components = 1;
  c.in_color_space = JCS_GRAYSCALE;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, quality, TRUE);
  jpeg_start_compress(&c, TRUE);
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = px.data() + static_cast<size_t>(c.next_scanline) * img.width;
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  std::vector<uint8_t> out(buf, buf + len);
  jpeg_destroy_compress(&c);
  std::free(buf);
  return out;
}

double mean_abs_diff(const GrayImage& a, const GrayImage& b) {
  if (a.pixels.size() != b.pixels.size() || a.pixels.empty()) return 1e9;
  double s = 0;
  for (size_t i = 0; i < a.pixels.size(); ++i) s += std::fabs(a.pixels[i] - b.pixels[i]);
  return s / static_cast<double>(a.pixels.size());
}

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "obia-sim-XXXXXX").string();
  path = ::mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

TestArchive::TestArchive() {
  paths.root = dir.path / "archive";
  if (auto s = obia::store::init_archive(paths, "OBIA"); !s) std::abort();
  auto cat = obia::index::Catalog::open(paths.catalog(), true, "OBIA");
  if (!cat) std::abort();
  catalog = std::move(*cat);
  auto objs = obia::store::ObjectStore::open(paths.root);
  if (!objs) std::abort();
  objects = std::make_unique<obia::store::ObjectStore>(std::move(*objs));
}

obia::index::NodeId TestArchive::collection(const std::string& disease) {
  auto c = catalog->create_collection({{"title", "T " + disease}, {"disease", disease}}, 1000);
  return c ? c->id : 0;
}

obia::index::NodeId TestArchive::archive(obia::index::NodeId coll, DcmFileFormat& file,
                                         const std::string& series, const std::string& modality,
                                         const std::string& sop_uid) {
  obia::index::PatientKey key{};
  key.fill(static_cast<uint8_t>(coll & 0xFF));
  auto ind = catalog->individual_for(coll, key, 1000);
  if (!ind) return 0;
  auto bytes = dicom_bytes(file);
  auto obj = objects->put(bytes);
  if (!obj) return 0;
  obia::index::ImageCommit c;
  c.collection = coll;
  c.individual = ind->id;
  c.study_uid = "1.2.826.0.1.3680043.8.498.1." + std::to_string(coll & 0xFFFF);
  c.series_uid = c.study_uid + "." + series;
  c.sop_uid = sop_uid;
  c.series_number = 1 + static_cast<int64_t>(std::hash<std::string>{}(series) % 900);
  c.modality = modality;
  c.series_attrs = {{"modality", modality}, {"bodypart", modality == "CT" ? "CHEST" : "HEAD"}};
  c.instance_number = next_instance++;
  c.object = *obj;
  c.size = bytes.size();
  c.now = 2000;
  auto r = catalog->commit_image(c);
  return r ? r->image : 0;
}

}  // namespace simtest
