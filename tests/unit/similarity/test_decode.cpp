// Decoding: DICOM (windowing, MONOCHROME1, multi-frame, colour, compressed), PNG, JPEG.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "index/similarity/decode.h"
#include "index/similarity/hasher.h"
#include "index/similarity/projection_hasher.h"
#include "support.h"

using namespace obia::similarity;
using namespace simtest;

namespace {

std::vector<uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

}  // namespace

TEST(Decode, WindowedDicomGivesTheDisplayValues) {
  GrayImage img = phantom(1, 1, 96);
  auto file = make_dicom(img);
  auto out = decode_dicom(*file->getDataset());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_EQ(out->width, 96);
  EXPECT_EQ(out->height, 96);
  EXPECT_LT(mean_abs_diff(*out, img), 0.01);
}

TEST(Decode, ParsedFromBytesLikeFromTheDataset) {
  GrayImage img = phantom(2, 1, 64);
  auto file = make_dicom(img);
  auto bytes = dicom_bytes(*file);
  ASSERT_EQ(sniff_format(bytes), InputFormat::Dicom);
  auto out = decode_any(bytes);
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_LT(mean_abs_diff(*out, img), 0.01);
}

TEST(Decode, Monochrome1IsInvertedToHighIsBright) {
  GrayImage img = phantom(3, 1, 64);
  DicomOptions o;
  o.monochrome1 = true;
  auto file = make_dicom(img, o);
  auto out = decode_dicom(*file->getDataset());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_LT(mean_abs_diff(*out, img), 0.01);
}

TEST(Decode, MultiFrameUsesTheFirstFrame) {
  GrayImage img = phantom(4, 1, 64);
  DicomOptions o;
  o.frames = 3;  // frames 2 and 3 are inverted
  auto file = make_dicom(img, o);
  auto out = decode_dicom(*file->getDataset());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_LT(mean_abs_diff(*out, img), 0.01);
}

TEST(Decode, ColourBecomesLuminance) {
  GrayImage img = phantom(5, 1, 64);
  DicomOptions o;
  o.rgb = true;
  auto file = make_dicom(img, o);
  auto out = decode_dicom(*file->getDataset());
  ASSERT_TRUE(out.ok()) << out.error().message;
  EXPECT_LT(mean_abs_diff(*out, img), 0.01);
}

TEST(Decode, WithoutWindowAPercentileWindowIsUsed) {
  GrayImage img = phantom(6, 1, 64);
  DicomOptions o;
  o.window = false;
  auto file = make_dicom(img, o);
  auto out = decode_dicom(*file->getDataset());
  ASSERT_TRUE(out.ok()) << out.error().message;
  // Stretched to the 0.5..99.5 % range: darkest pixels near 0, brightest near 1, and the
  // hash of the stretched image equals or nearly equals that of the original.
  auto [lo, hi] = std::minmax_element(out->pixels.begin(), out->pixels.end());
  EXPECT_LT(*lo, 0.02f);
  EXPECT_GT(*hi, 0.98f);
  ProjectionHasher h(64, 128);
  auto a = hash_image(h, *out), b = hash_image(h, img);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_LE(hamming(*a, *b), 4u);
}

TEST(Decode, NoPixelDataIsAnError) {
  DcmFileFormat file;
  file.getDataset()->putAndInsertString(DCM_Modality, "SR");
  auto out = decode_dicom(*file.getDataset());
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().code, EINVAL);
}

TEST(Decode, PngAndJpeg) {
  GrayImage img = phantom(7, 1, 80);
  auto png = png_bytes(img);
  ASSERT_EQ(sniff_format(png), InputFormat::Png);
  auto p = decode_any(png);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->width, 80);
  EXPECT_LT(mean_abs_diff(*p, img), 0.003);
  auto jpg = jpeg_bytes(img);
  ASSERT_EQ(sniff_format(jpg), InputFormat::Jpeg);
  auto j = decode_any(jpg);
  ASSERT_TRUE(j.ok()) << j.error().message;
  EXPECT_LT(mean_abs_diff(*j, img), 0.02);
}

TEST(Decode, GarbageIsRejected) {
  std::vector<uint8_t> junk(300, 0x41);
  EXPECT_EQ(sniff_format(junk), InputFormat::Unknown);
  EXPECT_FALSE(decode_any(junk).ok());
  std::vector<uint8_t> bad_png = png_bytes(phantom(1, 1, 32));
  bad_png.resize(bad_png.size() / 2);
  EXPECT_FALSE(decode_any(bad_png).ok());
  std::vector<uint8_t> bad_jpg = jpeg_bytes(phantom(1, 1, 32));
  bad_jpg.resize(40);
  EXPECT_FALSE(decode_any(bad_jpg).ok());
}

// The same MR slice in five encodings (pydicom's test files) decodes to the same code.
TEST(Decode, CompressedEncodingsGiveTheSameCode) {
  std::filesystem::path dir = OBIA_PYDICOM_DIR;
  if (!std::filesystem::exists(dir / "MR_small.dcm"))
    GTEST_SKIP() << "python3-pydicom not installed";
  ProjectionHasher h(64, 128);
  auto ref = decode_any(read_bytes(dir / "MR_small.dcm"));
  ASSERT_TRUE(ref.ok()) << ref.error().message;
  auto ref_code = hash_image(h, *ref);
  ASSERT_TRUE(ref_code.ok());
  for (const char* name : {"MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm",
                           "MR_small_implicit.dcm", "MR_small_bigendian.dcm"}) {
    auto img = decode_any(read_bytes(dir / name));
    ASSERT_TRUE(img.ok()) << name << ": " << img.error().message;
    EXPECT_LT(mean_abs_diff(*img, *ref), 0.002) << name;
    auto code = hash_image(h, *img);
    ASSERT_TRUE(code.ok());
    EXPECT_EQ(hamming(*code, *ref_code), 0u) << name;
  }
  for (const char* name : {"JPEG-lossy.dcm", "JPGExtended.dcm", "SC_rgb_jpeg_dcmtk.dcm",
                           "SC_rgb_rle.dcm", "CT_small.dcm", "SC_rgb_rle_2frame.dcm"}) {
    auto img = decode_any(read_bytes(dir / name));
    EXPECT_TRUE(img.ok()) << name << ": " << (img ? "" : img.error().message);
  }
}

// 32-bit pixel data without a window (pydicom's RT dose grids): the percentile window is
// computed by selection, not with DCMTK's histogram, which allocated a counter per possible
// value (13 s and gigabytes for a 10×10 grid).
TEST(Decode, ThirtyTwoBitDataGetsAPercentileWindowQuickly) {
  std::filesystem::path dir = OBIA_PYDICOM_DIR;
  if (!std::filesystem::exists(dir / "rtdose_expb_1frame.dcm"))
    GTEST_SKIP() << "python3-pydicom not installed";
  for (const char* name : {"rtdose_expb_1frame.dcm", "rtdose_expb.dcm", "rtdose.dcm"}) {
    auto t0 = std::chrono::steady_clock::now();
    auto img = decode_any(read_bytes(dir / name));
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(img.ok()) << name << ": " << img.error().message;
    EXPECT_LT(s, 0.5) << name;
    auto [lo, hi] = std::minmax_element(img->pixels.begin(), img->pixels.end());
    EXPECT_LT(*lo, 0.05f) << name;  // stretched over the dose range
    EXPECT_GT(*hi, 0.95f) << name;
  }
}
