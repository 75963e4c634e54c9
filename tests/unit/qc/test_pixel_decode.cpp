// Pixel decoding: every supported transfer syntax decodes to the same pixels as the
// uncompressed original (lossless) or close to it (lossy); the source dataset is left as it was;
// garbage fragments are errors, not crashes.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "ingest/dicom_io.h"
#include "ingest/pixel_decode.h"
#include "ingest/pixel_render.h"
#include "qc_support.h"

using namespace obia;
using namespace obia::ingest;
using namespace obia::qctest;

namespace {

std::vector<uint8_t> pixels_of(const std::filesystem::path& p, PixelFormat* format = nullptr) {
  auto f = load(p);
  if (!f) return {};
  auto px = decode_pixels(*f->getDataset());
  if (!px || !*px) return {};
  if (format) *format = (*px)->format();
  return {(*px)->data(), (*px)->data() + (*px)->format().total_bytes()};
}

// Mean absolute difference of 16-bit samples, relative to the range of the reference.
double relative_error(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b) {
  const size_t n = std::min(a.size(), b.size()) / 2;
  if (n == 0) return 1.0;
  const auto* x = reinterpret_cast<const uint16_t*>(a.data());
  const auto* y = reinterpret_cast<const uint16_t*>(b.data());
  double sum = 0, lo = 65535, hi = 0;
  for (size_t i = 0; i < n; ++i) {
    sum += std::abs(double(x[i]) - double(y[i]));
    lo = std::min(lo, double(x[i]));
    hi = std::max(hi, double(x[i]));
  }
  return sum / n / std::max(1.0, hi - lo);
}

}  // namespace

TEST(PixelDecode, Wg04LosslessCodecsMatchTheUncompressedOriginal) {
  const auto wg04 = testdata() / "dicom/wg04";
  if (!present(wg04 / "REF/CT1_UNC")) GTEST_SKIP() << "no WG04 test data";
  for (const char* image : {"CT1", "MR1", "MR2"}) {
    PixelFormat ref_format;
    const auto ref = pixels_of(wg04 / "REF" / (std::string(image) + "_UNC"), &ref_format);
    ASSERT_FALSE(ref.empty()) << image;
    for (const char* codec : {"RLE", "JPLL", "JLSL", "J2KR"}) {
      const auto p = wg04 / codec / (std::string(image) + "_" + codec);
      if (!present(p)) continue;
      PixelFormat f;
      const auto got = pixels_of(p, &f);
      ASSERT_EQ(got.size(), ref.size()) << p;
      EXPECT_EQ(f.rows, ref_format.rows);
      EXPECT_TRUE(got == ref) << p << " differs from the uncompressed original";
    }
  }
}

TEST(PixelDecode, Wg04LossyCodecsAreClose) {
  const auto wg04 = testdata() / "dicom/wg04";
  if (!present(wg04 / "REF/CT1_UNC")) GTEST_SKIP() << "no WG04 test data";
  const auto ref = pixels_of(wg04 / "REF/CT1_UNC");
  for (const char* codec : {"JPLY", "JLSN", "J2KI"}) {
    const auto p = wg04 / codec / (std::string("CT1_") + codec);
    if (!present(p)) continue;
    const auto got = pixels_of(p);
    ASSERT_EQ(got.size(), ref.size()) << p;
    EXPECT_LT(relative_error(ref, got), 0.02) << p;
  }
}

TEST(PixelDecode, PydicomVariantsOfOneImageAgree) {
  const auto dir = pydicom_files();
  if (!present(dir / "MR_small.dcm")) GTEST_SKIP() << "python3-pydicom test files not installed";
  const auto ref = pixels_of(dir / "MR_small.dcm");
  ASSERT_EQ(ref.size(), 64u * 64u * 2u);
  for (const char* name : {"MR_small_RLE.dcm", "MR_small_bigendian.dcm", "MR_small_implicit.dcm",
                           "MR_small_jp2klossless.dcm", "MR_small_jpeg_ls_lossless.dcm"}) {
    const auto got = pixels_of(dir / name);
    EXPECT_TRUE(got == ref) << name;
  }
}

TEST(PixelDecode, ColourJpeg2000AndRleBecomeRgb) {
  const auto dir = pydicom_files();
  if (!present(dir / "SC_rgb_rle.dcm")) GTEST_SKIP() << "python3-pydicom test files not installed";
  for (const char* name : {"SC_rgb_rle.dcm", "SC_rgb_gdcm_KY.dcm", "GDCMJ2K_TextGBR.dcm",
                           "SC_rgb_jpeg_gdcm.dcm", "SC_ybr_full_422_uncompressed.dcm"}) {
    auto f = load(dir / name);
    ASSERT_TRUE(f) << name;
    auto px = decode_pixels(*f->getDataset());
    ASSERT_TRUE(px.ok() && px->has_value()) << name << ": " << (px ? "" : px.error().message);
    auto img = render_frame(**px, 0, WindowMode::FileOrPercentile, false);
    ASSERT_TRUE(img.ok()) << name;
    EXPECT_EQ(img->channels, 3u) << name;
  }
}

TEST(PixelDecode, LeavesTheSourceDatasetUntouched) {
  const auto p = pydicom_files() / "MR_small_jp2klossless.dcm";
  if (!present(p)) GTEST_SKIP() << "python3-pydicom test files not installed";
  auto f = load(p);
  ASSERT_TRUE(f);
  const auto before = serialize_dicom(*f);
  ASSERT_TRUE(before.ok());
  auto px = decode_pixels(*f->getDataset());
  ASSERT_TRUE(px.ok() && px->has_value());
  EXPECT_EQ(f->getDataset()->getOriginalXfer(), EXS_JPEG2000LosslessOnly);
  const auto after = serialize_dicom(*f);
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(*before == *after);
}

TEST(PixelDecode, GarbageFragmentsAreErrorsNotCrashes) {
  for (E_TransferSyntax xfer : {EXS_JPEGProcess1, EXS_JPEG2000LosslessOnly, EXS_JPEGLSLossless, EXS_RLELossless}) {
    auto f = mono16(32, 32, 1, [](int x, int y, uint32_t) { return uint16_t(x * y); });
    DcmDataset& ds = *f->getDataset();
    auto* seq = new DcmPixelSequence(DCM_PixelSequenceTag);  // owned by the pixel data below
    seq->insert(new DcmPixelItem(DCM_PixelItemTag));         // empty offset table
    auto* frag = new DcmPixelItem(DCM_PixelItemTag);
    std::vector<Uint8> junk(600);
    for (size_t i = 0; i < junk.size(); ++i) junk[i] = Uint8(i * 37 + 11);
    junk[0] = 0xFF;
    junk[1] = 0xD8;
    frag->putUint8Array(junk.data(), static_cast<Uint32>(junk.size()));
    seq->insert(frag);
    auto* pixels = new DcmPixelData(DCM_PixelData);
    pixels->putOriginalRepresentation(xfer, nullptr, seq);
    ds.insert(pixels, true);
    auto px = decode_pixels(ds);
    EXPECT_FALSE(px.ok()) << DcmXfer(xfer).getXferName();
  }
}

TEST(PixelDecode, NoPixelDataIsNotAnError) {
  DcmFileFormat f;
  f.getDataset()->putAndInsertString(DCM_PatientID, "X");
  auto px = decode_pixels(*f.getDataset());
  ASSERT_TRUE(px.ok());
  EXPECT_FALSE(px->has_value());
}

TEST(PixelRender, WindowsAndInversion) {
  auto f = mono16(4, 4, 1, [](int x, int, uint32_t) { return uint16_t(x * 1000); });
  DcmDataset& ds = *f->getDataset();
  ds.putAndInsertString(DCM_WindowCenter, "1500");
  ds.putAndInsertString(DCM_WindowWidth, "1000");
  auto px = decode_pixels(ds);
  ASSERT_TRUE(px.ok() && px->has_value());
  auto img = render_frame(**px, 0, WindowMode::FileOrPercentile, true);
  ASSERT_TRUE(img.ok());
  EXPECT_EQ(img->row(0)[0], 0);    // 0 below the window
  EXPECT_EQ(img->row(0)[3], 255);  // 3000 above it
  ds.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME1");
  auto px1 = decode_pixels(ds);
  auto inv = render_frame(**px1, 0, WindowMode::FileOrPercentile, true);
  EXPECT_EQ(inv->row(0)[0], 255);
}
