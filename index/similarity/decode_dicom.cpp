// DICOM pixel data to [0,1] display values with DCMTK (first frame, rescale, VOI window).
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcistrmb.h>
#include <dcmtk/dcmdata/dcrledrg.h>
#include <dcmtk/dcmimage/diregist.h>  // colour images
#include <dcmtk/dcmimgle/dcmimage.h>
#include <dcmtk/dcmimgle/dipixel.h>
#include <dcmtk/dcmjpeg/djdecode.h>
#include <dcmtk/dcmjpls/djdecode.h>
#include <dcmtk/oflog/oflog.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <vector>

#include "index/similarity/decode.h"

namespace obia::similarity {
namespace {

constexpr double kPercentile = 0.005;  // each tail ignored by the fallback window
// DCMTK's histogram window allocates one counter per possible value between the minimum and
// the maximum: 32-bit data (RT dose, some PET) spans up to 2^32 values, which took 13 s and
// gigabytes for a 10×10 dose grid. Beyond this range we select the percentiles ourselves.
constexpr double kMaxHistogramRange = 65536;

template <typename T>
void append_values(const void* data, unsigned long count, std::vector<double>& out) {
  const T* p = static_cast<const T*>(data);
  out.insert(out.end(), p, p + count);
}

// The kPercentile..1-kPercentile window over the modality values (what setHistogramWindow
// computes), by selection instead of a histogram. False when the values cannot be read.
bool set_percentile_window(DicomImage& image) {
  const DiPixel* inter = image.getInterData();
  if (inter == nullptr || inter->getData() == nullptr || inter->getCount() == 0) return false;
  std::vector<double> v;
  v.reserve(inter->getCount());
  const void* d = inter->getData();
  const unsigned long n = inter->getCount();
  switch (inter->getRepresentation()) {
    case EPR_Uint8:
      append_values<Uint8>(d, n, v);
      break;
    case EPR_Sint8:
      append_values<Sint8>(d, n, v);
      break;
    case EPR_Uint16:
      append_values<Uint16>(d, n, v);
      break;
    case EPR_Sint16:
      append_values<Sint16>(d, n, v);
      break;
    case EPR_Uint32:
      append_values<Uint32>(d, n, v);
      break;
    case EPR_Sint32:
      append_values<Sint32>(d, n, v);
      break;
  }
  if (v.empty()) return false;
  const size_t lo_at = static_cast<size_t>(kPercentile * static_cast<double>(v.size()));
  const size_t hi_at = v.size() - 1 - lo_at;
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(lo_at), v.end());
  const double lo = v[lo_at];
  std::nth_element(v.begin(), v.begin() + static_cast<ptrdiff_t>(hi_at), v.end());
  const double hi = v[hi_at];
  if (!(hi > lo)) return image.setMinMaxWindow(0) != 0;
  return image.setWindow((lo + hi) / 2, hi - lo) != 0;
}

Result<GrayImage> render(DicomImage& image) {
  if (image.getStatus() != EIS_Normal)
    return make_error(EINVAL, std::string("cannot decode pixel data: ") +
                                  DicomImage::getString(image.getStatus()));
  std::unique_ptr<DicomImage> mono;
  DicomImage* src = &image;
  if (!image.isMonochrome()) {
    mono.reset(image.createMonochromeImage());
    if (!mono || mono->getStatus() != EIS_Normal)
      return make_error(EINVAL, "cannot convert colour pixel data to luminance");
    src = mono.get();
  } else {
    double center = 0, width = 0;
    bool windowed = false;
    if (image.getWindowCount() > 0 && image.setWindow(0) && image.getWindow(center, width) &&
        width > 1)
      windowed = true;
    else if (image.getVoiLutCount() > 0 && image.setVoiLut(0))
      windowed = true;
    if (!windowed) {
      double lo = 0, hi = 0;
      bool wide = image.getMinMaxValues(lo, hi) && hi - lo > kMaxHistogramRange;
      bool done = wide ? set_percentile_window(image) : image.setHistogramWindow(kPercentile) != 0;
      if (!done) image.setMinMaxWindow(0);
    }
  }
  const unsigned long w = src->getWidth(), h = src->getHeight();
  if (w == 0 || h == 0) return make_error(EINVAL, "image has no rows or columns");
  std::vector<uint8_t> out(w * h);
  if (!src->getOutputData(out.data(), out.size(), 8, 0))
    return make_error(EINVAL, "cannot render pixel data");
  return from_u8(static_cast<int>(w), static_cast<int>(h), out);
}

}  // namespace

void register_dicom_codecs() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Rendering warnings ("applying modality transform may create unexpected result") are
    // about display fidelity, not errors: keep them out of obiactl's output and the daemon log.
    for (const char* name : {"dcmtk.dcmimgle", "dcmtk.dcmimage", "dcmtk.dcmjpeg", "dcmtk.dcmjpls"})
      OFLog::getLogger(name).setLogLevel(OFLogger::ERROR_LOG_LEVEL);
    DJDecoderRegistration::registerCodecs();
    DJLSDecoderRegistration::registerCodecs();
    DcmRLEDecoderRegistration::registerCodecs();
  });
}

Result<GrayImage> decode_dicom(DcmDataset& ds) {
  register_dicom_codecs();
  if (!ds.tagExists(DCM_PixelData)) return make_error(EINVAL, "no pixel data");
  // Partial access decodes only the first frame and leaves the element's value untouched.
  E_TransferSyntax xfer = ds.getOriginalXfer();
  if (xfer == EXS_Unknown) xfer = ds.getCurrentXfer();  // built in memory, never read
  DicomImage image(&ds, xfer, CIF_UsePartialAccessToPixelData | CIF_NeverAccessEmbeddedOverlays, 0,
                   1);
  return render(image);
}

Result<GrayImage> decode_dicom_bytes(std::span<const uint8_t> bytes) {
  DcmInputBufferStream stream;
  stream.setBuffer(bytes.data(), static_cast<offile_off_t>(bytes.size()));
  stream.setEos();
  DcmFileFormat file;
  file.transferInit();
  OFCondition cond = file.read(stream, EXS_Unknown, EGL_noChange, DCM_MaxReadLength);
  file.transferEnd();
  if (cond.bad()) return make_error(EINVAL, std::string("DICOM parse failed: ") + cond.text());
  DcmDataset* ds = file.getDataset();
  if (ds == nullptr) return make_error(EINVAL, "no DICOM dataset");
  return decode_dicom(*ds);
}

InputFormat sniff_format(std::span<const uint8_t> b) {
  static const uint8_t png[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (b.size() >= 8 && std::equal(png, png + 8, b.begin())) return InputFormat::Png;
  if (b.size() >= 3 && b[0] == 0xFF && b[1] == 0xD8 && b[2] == 0xFF) return InputFormat::Jpeg;
  if (b.size() >= 132 && b[128] == 'D' && b[129] == 'I' && b[130] == 'C' && b[131] == 'M')
    return InputFormat::Dicom;
  // A bare dataset starts with a group 0x0002 or 0x0008 element, little endian.
  if (b.size() >= 8 && (b[0] == 0x02 || b[0] == 0x08) && b[1] == 0x00) return InputFormat::Dicom;
  return InputFormat::Unknown;
}

Result<GrayImage> decode_any(std::span<const uint8_t> bytes) {
  switch (sniff_format(bytes)) {
    case InputFormat::Png:
      return decode_png(bytes);
    case InputFormat::Jpeg:
      return decode_jpeg(bytes);
    case InputFormat::Dicom:
      return decode_dicom_bytes(bytes);
    case InputFormat::Unknown:
      break;
  }
  return make_error(EINVAL, "not a DICOM, PNG or JPEG file");
}

}  // namespace obia::similarity
