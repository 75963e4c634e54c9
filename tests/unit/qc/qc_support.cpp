// QC test helpers.
#include "qc_support.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <array>
#include <cstdlib>

#include "ingest/dicom_io.h"
#include "ingest/pixel_font.h"

namespace obia::qctest {

TempDir::TempDir() {
  std::string tmpl = (std::filesystem::temp_directory_path() / "obia-qc-test-XXXXXX").string();
  path = ::mkdtemp(tmpl.data());
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
}

std::filesystem::path pydicom_files() { return "/usr/lib/python3/dist-packages/pydicom/data/test_files"; }

std::filesystem::path testdata() {
  if (const char* env = std::getenv("OBIA_TESTDATA")) return env;
  return "/work/shared/testdata";
}

bool present(const std::filesystem::path& p) {
  std::error_code ec;
  return std::filesystem::exists(p, ec);
}

std::unique_ptr<DcmFileFormat> load(const std::filesystem::path& p) {
  auto f = ingest::load_dicom(p);
  return f ? std::move(*f) : nullptr;
}

namespace {

void identity(DcmDataset& ds, const std::string& modality) {
  ds.putAndInsertString(DCM_PatientID, "QC-TEST-1");
  ds.putAndInsertString(DCM_StudyInstanceUID, "1.2.826.0.1.3680043.8.498.901");
  ds.putAndInsertString(DCM_SeriesInstanceUID, "1.2.826.0.1.3680043.8.498.902");
  ds.putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.8.498.903");
  ds.putAndInsertString(DCM_SOPClassUID, modality == "MR" ? "1.2.840.10008.5.1.4.1.1.4"
                                                          : "1.2.840.10008.5.1.4.1.1.2");
  ds.putAndInsertString(DCM_Modality, modality.c_str());
}

}  // namespace

std::unique_ptr<DcmFileFormat> mono16(uint16_t rows, uint16_t cols, uint32_t frames,
                                      const std::function<uint16_t(int, int, uint32_t)>& value,
                                      const std::string& modality) {
  auto f = std::make_unique<DcmFileFormat>();
  DcmDataset& ds = *f->getDataset();
  identity(ds, modality);
  ds.putAndInsertUint16(DCM_Rows, rows);
  ds.putAndInsertUint16(DCM_Columns, cols);
  ds.putAndInsertUint16(DCM_SamplesPerPixel, 1);
  ds.putAndInsertString(DCM_PhotometricInterpretation, "MONOCHROME2");
  ds.putAndInsertUint16(DCM_BitsAllocated, 16);
  ds.putAndInsertUint16(DCM_BitsStored, 12);
  ds.putAndInsertUint16(DCM_HighBit, 11);
  ds.putAndInsertUint16(DCM_PixelRepresentation, 0);
  if (frames > 1) ds.putAndInsertString(DCM_NumberOfFrames, std::to_string(frames).c_str());
  std::vector<Uint16> px(size_t(rows) * cols * frames);
  for (uint32_t k = 0; k < frames; ++k)
    for (int y = 0; y < rows; ++y)
      for (int x = 0; x < cols; ++x) px[(size_t(k) * rows + y) * cols + x] = value(x, y, k);
  ds.putAndInsertUint16Array(DCM_PixelData, px.data(), static_cast<unsigned long>(px.size()));
  return f;
}

std::unique_ptr<DcmFileFormat> rgb8(uint16_t rows, uint16_t cols,
                                    const std::function<std::array<uint8_t, 3>(int, int)>& value) {
  auto f = std::make_unique<DcmFileFormat>();
  DcmDataset& ds = *f->getDataset();
  identity(ds, "OT");
  ds.putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.7");
  ds.putAndInsertUint16(DCM_Rows, rows);
  ds.putAndInsertUint16(DCM_Columns, cols);
  ds.putAndInsertUint16(DCM_SamplesPerPixel, 3);
  ds.putAndInsertString(DCM_PhotometricInterpretation, "RGB");
  ds.putAndInsertUint16(DCM_PlanarConfiguration, 0);
  ds.putAndInsertUint16(DCM_BitsAllocated, 8);
  ds.putAndInsertUint16(DCM_BitsStored, 8);
  ds.putAndInsertUint16(DCM_HighBit, 7);
  ds.putAndInsertUint16(DCM_PixelRepresentation, 0);
  std::vector<Uint8> px(size_t(rows) * cols * 3);
  for (int y = 0; y < rows; ++y)
    for (int x = 0; x < cols; ++x) {
      auto v = value(x, y);
      for (int c = 0; c < 3; ++c) px[(size_t(y) * cols + x) * 3 + c] = v[c];
    }
  ds.putAndInsertUint8Array(DCM_PixelData, px.data(), static_cast<unsigned long>(px.size()));
  return f;
}

void stamp(ingest::Image8& frame, int x, int y, const std::string& text, int scale) {
  const uint8_t white[3] = {255, 255, 255};
  ingest::draw_text(frame, x, y, text, scale, white);
}

}  // namespace obia::qctest
