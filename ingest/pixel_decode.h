// Decoding a dataset's pixel data to native samples without touching the dataset: the pixel
// module is copied into a private dataset and decoded there, so the original keeps its transfer
// syntax, photometric interpretation and compressed fragments for archiving.
#pragma once

#include <dcmtk/dcmdata/dcdatset.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/result.h"

namespace obia::ingest {

struct PixelFormat {
  uint32_t rows = 0, columns = 0, frames = 1, samples = 1;
  uint16_t bits_allocated = 0, bits_stored = 0;
  bool is_signed = false;
  bool planar = false;           // PlanarConfiguration 1 (colour by plane)
  bool chroma_422 = false;       // native YBR_FULL_422: two samples per pixel (Y Y Cb Cr pairs)
  std::string photometric;       // after decoding (decoders may turn YBR into RGB)
  uint64_t pixels() const { return uint64_t(rows) * columns; }
  // Bytes of one frame; 0 for 1-bit data, whose frames need not start on a byte.
  uint64_t frame_bytes() const;
  uint64_t total_bytes() const;  // all frames, every bit depth
};

// How stored values map to what a viewer shows (PS3.3 C.11.1 modality LUT, C.11.2 VOI).
struct PixelPresentation {
  double slope = 1, intercept = 0;
  std::optional<double> window_center, window_width;  // first window in the file, if any
};

class DecodedPixels {
 public:
  const PixelFormat& format() const { return format_; }
  const PixelPresentation& presentation() const { return presentation_; }
  // Native samples of all frames, host byte order (16/32-bit samples are aligned).
  const uint8_t* data() const { return data_; }
  size_t size() const { return size_; }
  const uint8_t* frame(uint32_t f) const { return data_ + size_t(f) * format_.frame_bytes(); }
  // The private dataset holding the decoded pixel module (palette lookup tables live here).
  DcmDataset& dataset() const { return *dataset_; }

 private:
  friend Result<std::optional<DecodedPixels>> decode_pixels(DcmItem& source);
  PixelFormat format_;
  PixelPresentation presentation_;
  std::unique_ptr<DcmDataset> dataset_;
  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
};

// nullopt when the dataset has no Pixel Data; an error when it cannot be decoded (the message
// names the transfer syntax or the inconsistency, never a value).
Result<std::optional<DecodedPixels>> decode_pixels(DcmItem& source);

// Reads the pixel module's geometry from any item (no decoding).
Result<PixelFormat> read_pixel_format(DcmItem& item);

}  // namespace obia::ingest
