// Pixel data decoding on a private copy of the pixel module.
#include "ingest/pixel_decode.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcpixel.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include "ingest/pixel_codecs.h"

namespace obia::ingest {
namespace {

// What decoders and renderers read besides the pixels themselves.
const DcmTagKey kPixelModule[] = {
    DCM_Rows, DCM_Columns, DCM_SamplesPerPixel, DCM_PhotometricInterpretation,
    DCM_PlanarConfiguration, DCM_BitsAllocated, DCM_BitsStored, DCM_HighBit,
    DCM_PixelRepresentation, DCM_NumberOfFrames, DCM_RescaleSlope, DCM_RescaleIntercept,
    DCM_WindowCenter, DCM_WindowWidth, DCM_RedPaletteColorLookupTableDescriptor,
    DCM_GreenPaletteColorLookupTableDescriptor, DCM_BluePaletteColorLookupTableDescriptor,
    DCM_RedPaletteColorLookupTableData, DCM_GreenPaletteColorLookupTableData,
    DCM_BluePaletteColorLookupTableData, DCM_Modality, DCM_SOPClassUID};

double first_double(DcmItem& item, const DcmTagKey& tag, double fallback) {
  Float64 v = 0;
  return item.findAndGetFloat64(tag, v, 0).good() ? v : fallback;
}

std::optional<double> optional_double(DcmItem& item, const DcmTagKey& tag) {
  Float64 v = 0;
  if (item.findAndGetFloat64(tag, v, 0).good()) return v;
  return std::nullopt;
}

}  // namespace

uint64_t PixelFormat::frame_bytes() const {
  if (bits_allocated < 8) return 0;
  return pixels() * (chroma_422 ? 2 : samples) * (bits_allocated / 8);
}

uint64_t PixelFormat::total_bytes() const {
  return (pixels() * (chroma_422 ? 2 : samples) * frames * bits_allocated + 7) / 8;
}

Result<PixelFormat> read_pixel_format(DcmItem& item) {
  PixelFormat f;
  Uint16 rows = 0, cols = 0, spp = 1, ba = 0, bs = 0, rep = 0, planar = 0;
  if (item.findAndGetUint16(DCM_Rows, rows).bad() || item.findAndGetUint16(DCM_Columns, cols).bad())
    return make_error(EINVAL, "Rows or Columns (0028,0010/0011) missing");
  if (item.findAndGetUint16(DCM_BitsAllocated, ba).bad())
    return make_error(EINVAL, "BitsAllocated (0028,0100) missing");
  item.findAndGetUint16(DCM_SamplesPerPixel, spp);
  if (item.findAndGetUint16(DCM_BitsStored, bs).bad() || bs == 0 || bs > ba) bs = ba;
  item.findAndGetUint16(DCM_PixelRepresentation, rep);
  item.findAndGetUint16(DCM_PlanarConfiguration, planar);
  Sint32 frames = 1;
  if (item.findAndGetSint32(DCM_NumberOfFrames, frames).bad() || frames < 1) frames = 1;
  OFString pi;
  item.findAndGetOFString(DCM_PhotometricInterpretation, pi);
  if (rows == 0 || cols == 0) return make_error(EINVAL, "the image has zero rows or columns");
  if (spp != 1 && spp != 3 && spp != 4) return make_error(EINVAL, "unsupported SamplesPerPixel");
  if (ba != 1 && ba != 8 && ba != 16 && ba != 32)
    return make_error(EINVAL, "unsupported BitsAllocated " + std::to_string(ba));
  if (ba == 1 && spp != 1) return make_error(EINVAL, "1-bit colour pixel data");
  f.rows = rows;
  f.columns = cols;
  f.samples = spp;
  f.frames = static_cast<uint32_t>(frames);
  f.bits_allocated = ba;
  f.bits_stored = bs;
  f.is_signed = rep == 1;
  f.planar = planar == 1 && spp > 1;
  f.photometric = pi.c_str();
  while (!f.photometric.empty() && f.photometric.back() == ' ') f.photometric.pop_back();
  return f;
}

Result<std::optional<DecodedPixels>> decode_pixels(DcmItem& source) {
  DcmElement* pixel_element = nullptr;
  if (source.findAndGetElement(DCM_PixelData, pixel_element).bad() || pixel_element == nullptr)
    return std::optional<DecodedPixels>{};
  register_pixel_codecs();

  DecodedPixels out;
  out.dataset_ = std::make_unique<DcmDataset>();
  for (const DcmTagKey& tag : kPixelModule) {
    DcmElement* e = nullptr;
    if (source.findAndGetElement(tag, e).good() && e != nullptr)
      out.dataset_->insert(static_cast<DcmElement*>(e->clone()), true);  // dataset takes ownership
  }
  out.dataset_->insert(static_cast<DcmElement*>(pixel_element->clone()), true);

  auto* copy = static_cast<DcmPixelData*>(nullptr);
  {
    DcmElement* e = nullptr;
    if (out.dataset_->findAndGetElement(DCM_PixelData, e).bad() || e == nullptr)
      return make_error(EINVAL, "pixel data could not be copied");
    copy = static_cast<DcmPixelData*>(e);
  }
  E_TransferSyntax from = EXS_Unknown;
  const DcmRepresentationParameter* param = nullptr;
  copy->getOriginalRepresentationKey(from, param);
  DcmXfer xfer(from);
  if (xfer.isEncapsulated()) {
    OFCondition c = out.dataset_->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
    if (c.bad() || !out.dataset_->canWriteXfer(EXS_LittleEndianExplicit))
      return make_error(EINVAL, std::string("no decoder could decode ") + xfer.getXferName() +
                                    (c.bad() ? std::string(" (") + c.text() + ")" : std::string()));
  }

  auto format = read_pixel_format(*out.dataset_);
  if (!format) return format.error();
  out.format_ = *format;
  Uint8* bytes = nullptr;
  if (copy->getUint8Array(bytes).bad() || bytes == nullptr)
    return make_error(EINVAL, "pixel data has no value");
  out.data_ = bytes;
  out.size_ = copy->getLength();
  if (out.format_.photometric == "YBR_FULL_422" && out.format_.samples == 3) {
    // Native 4:2:2 holds two samples per pixel; a decoder that left full sampling (three per
    // pixel) under the old name really produced YBR_FULL.
    if (out.size_ >= out.format_.total_bytes()) out.format_.photometric = "YBR_FULL";
    else out.format_.chroma_422 = !out.format_.planar;
  }
  if (out.size_ < out.format_.total_bytes())
    return make_error(EINVAL, "decoded pixel data is shorter than its geometry (" +
                                  std::to_string(out.size_) + " of " +
                                  std::to_string(out.format_.total_bytes()) + " bytes)");
  DcmItem& d = *out.dataset_;
  out.presentation_.slope = first_double(d, DCM_RescaleSlope, 1.0);
  if (out.presentation_.slope == 0) out.presentation_.slope = 1.0;
  out.presentation_.intercept = first_double(d, DCM_RescaleIntercept, 0.0);
  out.presentation_.window_center = optional_double(d, DCM_WindowCenter);
  out.presentation_.window_width = optional_double(d, DCM_WindowWidth);
  if (!out.presentation_.window_width || *out.presentation_.window_width < 1) {
    out.presentation_.window_center.reset();
    out.presentation_.window_width.reset();
  }
  return std::optional<DecodedPixels>(std::move(out));
}

}  // namespace obia::ingest
