// DCMTK load and in-memory serialisation.
#include "ingest/dicom_io.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcostrmb.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <limits>
#include <memory>

namespace obia::ingest {

Result<std::unique_ptr<DcmFileFormat>> load_dicom(const std::filesystem::path& path) {
  auto file = std::make_unique<DcmFileFormat>();
  // Auto-detect accepts datasets without a meta header (some exporters write those).
  // Every value is read in the one pass (no read limit), so nothing is left on disk to load
  // later: with a limit, DCMTK reopened the file for each large value (pixel data), which cost
  // about a tenth of a de-identification.
  OFCondition cond = file->loadFile(path.c_str(), EXS_Unknown, EGL_noChange,
                                    std::numeric_limits<Uint32>::max(), ERM_autoDetect);
  if (cond.bad()) return make_error(EINVAL, std::string("DICOM parse failed: ") + cond.text());
  DcmDataset* ds = file->getDataset();
  if (ds == nullptr || ds->card() == 0) {
    // A valid Part 10 file meta header with nothing after it is a blank header (no patient
    // module), which the curator fixes differently from a damaged file.
    DcmMetaInfo* meta = file->getMetaInfo();
    if (meta != nullptr && meta->card() > 0)
      return make_error(ENODATA,
                        "blank header: file meta only, no patient module or other elements");
    return make_error(EINVAL, "no DICOM elements found");
  }
  return file;
}

Result<std::vector<uint8_t>> serialize_dicom(DcmFileFormat& file) {
  DcmDataset* ds = file.getDataset();
  E_TransferSyntax xfer = ds->getOriginalXfer();
  // Deflated datasets are stored inflated: the in-memory writer does not run the deflate filter,
  // and readers cope better with plain explicit little endian anyway.
  if (xfer == EXS_Unknown || xfer == EXS_DeflatedLittleEndianExplicit)
    xfer = EXS_LittleEndianExplicit;
  std::vector<uint8_t> out;
  out.reserve(ds->calcElementLength(xfer, EET_ExplicitLength) + (64 << 10));  // + preamble, meta
  // One write buffer per thread, allocated once: a fresh 1 MiB buffer per file went to mmap and
  // came back as page faults and zeroing on every image.
  constexpr size_t kChunk = 1 << 20;
  thread_local const auto chunk = std::make_unique_for_overwrite<char[]>(kChunk);
  DcmOutputBufferStream stream(chunk.get(), kChunk);
  file.transferInit();
  OFCondition cond = EC_StreamNotifyClient;
  while (cond == EC_StreamNotifyClient) {
    cond = file.write(stream, xfer, EET_ExplicitLength, nullptr, EGL_withoutGL, EPD_withoutPadding);
    void* buf = nullptr;
    offile_off_t len = 0;
    stream.flushBuffer(buf, len);
    auto* p = static_cast<const uint8_t*>(buf);
    out.insert(out.end(), p, p + len);
  }
  file.transferEnd();
  if (cond.bad()) return make_error(EIO, std::string("DICOM write failed: ") + cond.text());
  // Never archive a truncated object: the dataset alone must fit in what was written.
  uint64_t dataset_bytes = ds->calcElementLength(xfer, EET_ExplicitLength);
  if (out.size() < dataset_bytes)
    return make_error(EIO, "DICOM write produced " + std::to_string(out.size()) +
                               " bytes for a dataset of " + std::to_string(dataset_bytes));
  return out;
}

}  // namespace obia::ingest
