// PNG signature, IHDR, one IDAT (filter type "Up" per row, deflated) and IEND.
#include "ingest/pixel_png.h"

#include <zlib.h>

#include <cstring>

namespace obia::ingest {
namespace {

void put_u32(std::string& out, uint32_t v) {
  const char b[4] = {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
  out.append(b, 4);
}

void chunk(std::string& out, const char type[4], const std::string& data) {
  put_u32(out, static_cast<uint32_t>(data.size()));
  const size_t start = out.size();
  out.append(type, 4);
  out += data;
  uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data() + start), uInt(out.size() - start));
  put_u32(out, static_cast<uint32_t>(crc));
}

}  // namespace

Result<std::string> encode_png(const Image8& image) {
  if (image.empty() || (image.channels != 1 && image.channels != 3))
    return make_error(EINVAL, "PNG: need a non-empty grey or RGB image");
  const size_t stride = size_t(image.width) * image.channels;
  // Filter "Up" (type 2) costs nothing and helps deflate on smooth medical images.
  std::string raw;
  raw.reserve((stride + 1) * image.height);
  for (uint32_t y = 0; y < image.height; ++y) {
    const uint8_t* r = image.row(y);
    const uint8_t* above = y ? image.row(y - 1) : nullptr;
    raw.push_back(char(above ? 2 : 0));
    for (size_t x = 0; x < stride; ++x) raw.push_back(char(above ? uint8_t(r[x] - above[x]) : r[x]));
  }
  uLongf bound = compressBound(uLong(raw.size()));
  std::string deflated(bound, '\0');
  if (compress2(reinterpret_cast<Bytef*>(deflated.data()), &bound,
                reinterpret_cast<const Bytef*>(raw.data()), uLong(raw.size()), 6) != Z_OK)
    return make_error(EIO, "PNG: deflate failed");
  deflated.resize(bound);

  std::string out("\x89PNG\r\n\x1a\n", 8);
  std::string ihdr;
  put_u32(ihdr, image.width);
  put_u32(ihdr, image.height);
  ihdr.push_back(8);                                   // bit depth
  ihdr.push_back(char(image.channels == 3 ? 2 : 0));  // colour type: truecolour or greyscale
  ihdr.append("\0\0\0", 3);                           // deflate, adaptive filtering, no interlace
  chunk(out, "IHDR", ihdr);
  chunk(out, "IDAT", deflated);
  chunk(out, "IEND", std::string());
  return out;
}

}  // namespace obia::ingest
