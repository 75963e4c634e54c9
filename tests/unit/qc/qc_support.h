// Helpers for the QC unit tests: temporary directories, the shared test data, datasets with
// pixels built in code, and text rendered into frames with the built-in font.
#pragma once

#include <dcmtk/dcmdata/dcfilefo.h>

#include <array>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "ingest/pixel_render.h"

namespace obia::qctest {

struct TempDir {
  std::filesystem::path path;
  TempDir();
  ~TempDir();
};

// Debian's pydicom test files and the project's shared test data (tests skip when absent).
std::filesystem::path pydicom_files();
std::filesystem::path testdata();
bool present(const std::filesystem::path& p);

std::unique_ptr<DcmFileFormat> load(const std::filesystem::path& p);

// A MONOCHROME2 16-bit (12 stored) image with identity UIDs; `value(x, y, frame)` gives pixels.
std::unique_ptr<DcmFileFormat> mono16(uint16_t rows, uint16_t cols, uint32_t frames,
                                      const std::function<uint16_t(int, int, uint32_t)>& value,
                                      const std::string& modality = "CT");
// An 8-bit RGB image.
std::unique_ptr<DcmFileFormat> rgb8(uint16_t rows, uint16_t cols,
                                    const std::function<std::array<uint8_t, 3>(int, int)>& value);

// White text on a grey frame (scale 1..3), top-left at (x, y).
void stamp(ingest::Image8& frame, int x, int y, const std::string& text, int scale);

}  // namespace obia::qctest
