// Decoding images for hashing: DICOM pixel data (DCMTK; uncompressed, JPEG, JPEG-LS, RLE) and
// PNG/JPEG files (query by example) to single-channel display values in [0,1].
//
// DICOM: the first frame only (multi-frame objects are represented by frame 1: cheap with
// partial pixel access, and stable whatever the frame count); the modality rescale applied;
// the first VOI window of the file (or its VOI LUT) when present, otherwise a percentile window
// (0.5 %..99.5 % of the pixel values); MONOCHROME1 inverted so that high is bright; colour
// converted to luminance. Nothing is written anywhere: datasets are decoded in memory.
#pragma once

#include <cstdint>
#include <span>

#include "common/result.h"
#include "index/similarity/image.h"

class DcmDataset;

namespace obia::similarity {

enum class InputFormat { Unknown, Dicom, Png, Jpeg };

InputFormat sniff_format(std::span<const uint8_t> bytes);

// Registers DCMTK's JPEG, JPEG-LS and RLE decoders (once per process; thread-safe).
void register_dicom_codecs();

// The first frame of `ds` at its native size. EINVAL when there is no decodable image.
// `ds` is not modified in any way that changes its serialised form.
Result<GrayImage> decode_dicom(DcmDataset& ds);
// A DICOM file (Part 10 or bare dataset) held in memory.
Result<GrayImage> decode_dicom_bytes(std::span<const uint8_t> bytes);
Result<GrayImage> decode_png(std::span<const uint8_t> bytes);
Result<GrayImage> decode_jpeg(std::span<const uint8_t> bytes);
// Any supported format, by content (not by name).
Result<GrayImage> decode_any(std::span<const uint8_t> bytes);

}  // namespace obia::similarity
