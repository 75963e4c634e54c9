// JPEG 2000 (PS3.5 A.4.4) decoding through openjp2 and a decode-only DCMTK codec.
#include "ingest/pixel_j2k.h"

#include <dcmtk/dcmdata/dccodec.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcpixseq.h>
#include <dcmtk/dcmdata/dcpxitem.h>
#include <dcmtk/dcmdata/dcstack.h>
#include <dcmtk/dcmdata/dcvrpobw.h>
#include <openjpeg.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>

namespace obia::ingest {
namespace {

// ---- openjp2 with RAII

struct CodecDeleter {
  void operator()(opj_codec_t* c) const { opj_destroy_codec(c); }
};
struct StreamDeleter {
  void operator()(opj_stream_t* s) const { opj_stream_destroy(s); }
};
struct ImageDeleter {
  void operator()(opj_image_t* i) const { opj_image_destroy(i); }
};

struct MemoryReader {
  const uint8_t* data;
  size_t size;
  size_t pos = 0;
};

OPJ_SIZE_T mem_read(void* buffer, OPJ_SIZE_T n, void* user) {
  auto* m = static_cast<MemoryReader*>(user);
  if (m->pos >= m->size) return static_cast<OPJ_SIZE_T>(-1);  // end of stream, as openjp2 wants
  size_t k = std::min<size_t>(n, m->size - m->pos);
  std::memcpy(buffer, m->data + m->pos, k);
  m->pos += k;
  return k;
}

OPJ_OFF_T mem_skip(OPJ_OFF_T n, void* user) {
  auto* m = static_cast<MemoryReader*>(user);
  if (n < 0) {
    size_t back = std::min<size_t>(static_cast<size_t>(-n), m->pos);
    m->pos -= back;
    return -static_cast<OPJ_OFF_T>(back);
  }
  size_t k = std::min<size_t>(static_cast<size_t>(n), m->size - m->pos);
  m->pos += k;
  return static_cast<OPJ_OFF_T>(k);
}

OPJ_BOOL mem_seek(OPJ_OFF_T n, void* user) {
  auto* m = static_cast<MemoryReader*>(user);
  if (n < 0 || static_cast<size_t>(n) > m->size) return OPJ_FALSE;
  m->pos = static_cast<size_t>(n);
  return OPJ_TRUE;
}

void quiet(const char*, void*) {}  // openjp2 messages would go to stderr; errors surface as codes

bool is_jp2_file(const uint8_t* d, size_t n) {
  static const uint8_t sig[] = {0, 0, 0, 0x0C, 'j', 'P', ' ', ' '};
  return n >= sizeof sig && std::memcmp(d, sig, sizeof sig) == 0;
}

// ---- the DCMTK codec

class J2kParameter : public DcmCodecParameter {
 public:
  DcmCodecParameter* clone() const override { return new J2kParameter(*this); }  // DCMTK owns
  const char* className() const override { return "ObiaJ2kParameter"; }
};

bool is_j2k(E_TransferSyntax x) {
  return x == EXS_JPEG2000LosslessOnly || x == EXS_JPEG2000 ||
         x == EXS_JPEG2000MulticomponentLosslessOnly || x == EXS_JPEG2000Multicomponent;
}

struct Geometry {
  Uint16 rows = 0, cols = 0, spp = 1, bits = 0;
  Sint32 frames = 1;
  std::string photometric;
  size_t frame_bytes() const { return size_t(rows) * cols * spp * (bits / 8); }
};

OFCondition read_geometry(DcmItem& ds, Geometry& g) {
  if (ds.findAndGetUint16(DCM_Rows, g.rows).bad() || ds.findAndGetUint16(DCM_Columns, g.cols).bad() ||
      ds.findAndGetUint16(DCM_BitsAllocated, g.bits).bad())
    return EC_MissingAttribute;
  ds.findAndGetUint16(DCM_SamplesPerPixel, g.spp);
  if (ds.findAndGetSint32(DCM_NumberOfFrames, g.frames).bad() || g.frames < 1) g.frames = 1;
  OFString pi;
  if (ds.findAndGetOFString(DCM_PhotometricInterpretation, pi).good()) g.photometric = pi.c_str();
  if ((g.bits != 8 && g.bits != 16) || g.spp < 1 || g.spp > 4 || g.rows == 0 || g.cols == 0)
    return EC_InvalidValue;
  return EC_Normal;
}

// The colour model after decoding: openjp2 undoes the multi-component transform.
std::string decoded_color_model(const Geometry& g) {
  if (g.spp == 3 && (g.photometric == "YBR_ICT" || g.photometric == "YBR_RCT")) return "RGB";
  return g.photometric;
}

// Fragment index ranges [first, last) of every frame (index 0 is the offset table).
std::vector<std::pair<Uint32, Uint32>> frame_fragments(DcmPixelSequence& seq, Sint32 frames) {
  const Uint32 n = static_cast<Uint32>(seq.card());
  std::vector<std::pair<Uint32, Uint32>> out;
  if (n < 2) return out;
  if (frames == 1) return {{1, n}};
  if (n - 1 == static_cast<Uint32>(frames)) {
    for (Uint32 i = 1; i < n; ++i) out.emplace_back(i, i + 1);
    return out;
  }
  // Several fragments per frame: a frame ends with the EOC marker (FFD9), maybe padded.
  Uint32 start = 1;
  for (Uint32 i = 1; i < n; ++i) {
    DcmPixelItem* item = nullptr;
    Uint8* p = nullptr;
    if (seq.getItem(item, i).bad() || item->getUint8Array(p).bad()) return {};
    Uint32 len = item->getLength();
    while (len > 0 && p[len - 1] == 0) --len;
    if (len >= 2 && p[len - 2] == 0xFF && p[len - 1] == 0xD9) {
      out.emplace_back(start, i + 1);
      start = i + 1;
    }
  }
  if (out.size() != static_cast<size_t>(frames)) return {};
  return out;
}

OFCondition decode_one(DcmPixelSequence& seq, std::pair<Uint32, Uint32> range, const Geometry& g,
                       uint8_t* out) {
  std::vector<uint8_t> stream;
  for (Uint32 i = range.first; i < range.second; ++i) {
    DcmPixelItem* item = nullptr;
    Uint8* p = nullptr;
    if (seq.getItem(item, i).bad()) return EC_CorruptedData;
    if (item->getLength() == 0) continue;
    if (item->getUint8Array(p).bad() || p == nullptr) return EC_CorruptedData;
    stream.insert(stream.end(), p, p + item->getLength());
  }
  auto img = decode_j2k(stream.data(), stream.size());
  if (!img) return makeOFCondition(0x4f42, 1, OF_error, img.error().message.c_str());
  if (img->width != g.cols || img->height != g.rows || img->components != g.spp)
    return makeOFCondition(0x4f42, 2, OF_error, "JPEG 2000 geometry differs from the dataset");
  const size_t n = img->samples.size();
  if (g.bits == 8) {
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(img->samples[i]);
  } else {
    auto* o16 = reinterpret_cast<Uint16*>(out);
    for (size_t i = 0; i < n; ++i) o16[i] = static_cast<Uint16>(img->samples[i]);
  }
  return EC_Normal;
}

DcmItem* dataset_of(const DcmStack& stack) {
  DcmStack local(stack);
  (void)local.pop();  // the pixel data element
  DcmObject* o = local.pop();
  if (o == nullptr || (o->ident() != EVR_dataset && o->ident() != EVR_item)) return nullptr;
  return static_cast<DcmItem*>(o);
}

class J2kDecoder : public DcmCodec {
 public:
  OFCondition decode(const DcmRepresentationParameter*, DcmPixelSequence* seq,
                     DcmPolymorphOBOW& uncompressed, const DcmCodecParameter*,
                     const DcmStack& stack, OFBool& removeOldRep) const override {
    removeOldRep = OFFalse;  // keep the compressed original: it is what gets archived
    DcmItem* ds = dataset_of(stack);
    if (ds == nullptr || seq == nullptr) return EC_IllegalCall;
    Geometry g;
    OFCondition c = read_geometry(*ds, g);
    if (c.bad()) return c;
    const uint64_t total = uint64_t(g.frame_bytes()) * uint64_t(g.frames);
    if (total == 0 || total > 0xFFFFFFF0u) return EC_InvalidValue;
    auto ranges = frame_fragments(*seq, g.frames);
    if (ranges.size() != static_cast<size_t>(g.frames))
      return makeOFCondition(0x4f42, 3, OF_error, "cannot find the JPEG 2000 frames");
    uint8_t* buf = nullptr;
    if (g.bits == 8) {
      Uint8* p = nullptr;
      c = uncompressed.createUint8Array(static_cast<Uint32>(total + (total & 1)), p);
      buf = p;
    } else {
      Uint16* p = nullptr;
      c = uncompressed.createUint16Array(static_cast<Uint32>(total / 2), p);
      buf = reinterpret_cast<uint8_t*>(p);
    }
    if (c.bad() || buf == nullptr) return c.bad() ? c : EC_MemoryExhausted;
    if (total & 1) buf[total] = 0;
    for (Sint32 f = 0; f < g.frames; ++f) {
      c = decode_one(*seq, ranges[f], g, buf + size_t(f) * g.frame_bytes());
      if (c.bad()) return c;
    }
    std::string model = decoded_color_model(g);
    if (model != g.photometric) c = ds->putAndInsertString(DCM_PhotometricInterpretation, model.c_str());
    if (c.good() && g.spp > 1) c = ds->putAndInsertUint16(DCM_PlanarConfiguration, 0);
    return c;
  }

  OFCondition decodeFrame(const DcmRepresentationParameter*, DcmPixelSequence* seq,
                          const DcmCodecParameter*, DcmItem* ds, Uint32 frameNo,
                          Uint32& startFragment, void* buffer, Uint32 bufSize,
                          OFString& colorModel) const override {
    if (ds == nullptr || seq == nullptr || buffer == nullptr) return EC_IllegalCall;
    Geometry g;
    OFCondition c = read_geometry(*ds, g);
    if (c.bad()) return c;
    if (frameNo >= static_cast<Uint32>(g.frames) || bufSize < g.frame_bytes()) return EC_IllegalCall;
    auto ranges = frame_fragments(*seq, g.frames);
    if (ranges.size() != static_cast<size_t>(g.frames)) return EC_CorruptedData;
    c = decode_one(*seq, ranges[frameNo], g, static_cast<uint8_t*>(buffer));
    if (c.bad()) return c;
    startFragment = ranges[frameNo].second;
    colorModel = decoded_color_model(g).c_str();
    return EC_Normal;
  }

  OFCondition encode(const Uint16*, const Uint32, const DcmRepresentationParameter*,
                     DcmPixelSequence*&, const DcmCodecParameter*, DcmStack&,
                     OFBool&) const override {
    return EC_IllegalCall;  // decode only
  }
  OFCondition encode(const E_TransferSyntax, const DcmRepresentationParameter*, DcmPixelSequence*,
                     const DcmRepresentationParameter*, DcmPixelSequence*&,
                     const DcmCodecParameter*, DcmStack&, OFBool&) const override {
    return EC_IllegalCall;
  }
  OFBool canChangeCoding(const E_TransferSyntax from, const E_TransferSyntax to) const override {
    return is_j2k(from) && DcmXfer(to).isNotEncapsulated();
  }
  OFCondition determineDecompressedColorModel(const DcmRepresentationParameter*, DcmPixelSequence*,
                                              const DcmCodecParameter*, DcmItem* ds,
                                              OFString& colorModel) const override {
    if (ds == nullptr) return EC_IllegalCall;
    Geometry g;
    OFCondition c = read_geometry(*ds, g);
    if (c.bad()) return c;
    colorModel = decoded_color_model(g).c_str();
    return EC_Normal;
  }
};

}  // namespace

Result<J2kImage> decode_j2k(const uint8_t* data, size_t size) {
  if (data == nullptr || size < 16) return make_error(EINVAL, "JPEG 2000 stream is empty");
  std::unique_ptr<opj_codec_t, CodecDeleter> codec(
      opj_create_decompress(is_jp2_file(data, size) ? OPJ_CODEC_JP2 : OPJ_CODEC_J2K));
  if (!codec) return make_error(ENOMEM, "openjp2: no decoder");
  opj_set_error_handler(codec.get(), quiet, nullptr);
  opj_set_warning_handler(codec.get(), quiet, nullptr);
  opj_set_info_handler(codec.get(), quiet, nullptr);
  opj_dparameters_t params;
  opj_set_default_decoder_parameters(&params);
  if (!opj_setup_decoder(codec.get(), &params)) return make_error(EINVAL, "openjp2: setup failed");

  MemoryReader reader{data, size};
  std::unique_ptr<opj_stream_t, StreamDeleter> stream(opj_stream_create(1 << 16, OPJ_TRUE));
  if (!stream) return make_error(ENOMEM, "openjp2: no stream");
  opj_stream_set_user_data(stream.get(), &reader, nullptr);
  opj_stream_set_user_data_length(stream.get(), size);
  opj_stream_set_read_function(stream.get(), mem_read);
  opj_stream_set_skip_function(stream.get(), mem_skip);
  opj_stream_set_seek_function(stream.get(), mem_seek);

  opj_image_t* raw = nullptr;
  if (!opj_read_header(stream.get(), codec.get(), &raw)) {
    if (raw) opj_image_destroy(raw);
    return make_error(EINVAL, "JPEG 2000 header is invalid");
  }
  std::unique_ptr<opj_image_t, ImageDeleter> image(raw);
  if (!opj_decode(codec.get(), stream.get(), image.get()) ||
      !opj_end_decompress(codec.get(), stream.get()))
    return make_error(EINVAL, "JPEG 2000 code stream does not decode");

  J2kImage out;
  out.components = image->numcomps;
  if (out.components == 0 || out.components > 4) return make_error(EINVAL, "JPEG 2000: unsupported components");
  const opj_image_comp_t& c0 = image->comps[0];
  out.width = c0.w;
  out.height = c0.h;
  out.precision = c0.prec;
  out.is_signed = c0.sgnd != 0;
  if (out.precision == 0 || out.precision > 16) return make_error(EINVAL, "JPEG 2000: unsupported precision");
  for (uint32_t k = 0; k < out.components; ++k) {
    const opj_image_comp_t& c = image->comps[k];
    if (c.w != out.width || c.h != out.height || c.data == nullptr)
      return make_error(EINVAL, "JPEG 2000: subsampled or missing components");
  }
  const size_t px = size_t(out.width) * out.height;
  out.samples.resize(px * out.components);
  for (uint32_t k = 0; k < out.components; ++k) {
    const OPJ_INT32* src = image->comps[k].data;
    for (size_t i = 0; i < px; ++i) out.samples[i * out.components + k] = src[i];
  }
  return out;
}

void register_j2k_codec() {
  static std::once_flag once;
  std::call_once(once, [] {
    // Process-lifetime objects: DCMTK keeps pointers to them until exit.
    static J2kDecoder decoder;
    static J2kParameter parameter;
    DcmCodecList::registerCodec(&decoder, nullptr, &parameter);
  });
}

}  // namespace obia::ingest
