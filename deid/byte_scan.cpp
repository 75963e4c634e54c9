// Byte side of the verification pass: a small Part 10 parser of its own, so that a residual
// found in the serialised output can be reported by tag path instead of by value.
#include <dcmtk/dcmdata/dctag.h>
#include <zlib.h>

#include <cstring>
#include <string_view>
#include <vector>

#include "deid/dicom_value.h"
#include "deid/verify.h"

namespace obia::deid {
namespace {

constexpr uint32_t kUndefined = 0xFFFFFFFF;
constexpr std::size_t kMaxDepth = 256;

// Explicit VRs with a 2-byte reserved field and a 4-byte length (PS3.5 7.1.2).
bool long_length(char a, char b) {
  static constexpr std::string_view kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                               "UC", "UR", "UT", "UN", "SV", "UV"};
  const char vr[2] = {a, b};
  for (std::string_view l : kLong) {
    if (l == std::string_view(vr, 2)) return true;
  }
  return false;
}

class ByteWalker {
 public:
  ByteWalker(std::span<const uint8_t> data, const TokenMatcher& m, bool little, bool explicit_vr)
      : data_(data), m_(m), little_(little), explicit_(explicit_vr) {}

  // Walks elements in [pos, end) (end == npos: until an item delimiter or the end of data).
  // Returns false on a structural error (the caller then searches the rest as raw bytes).
  bool elements(std::size_t& pos, std::size_t end, bool until_delimiter) {
    const std::size_t limit = end == npos ? data_.size() : end;
    while (pos < limit) {
      if (hit_) return true;
      if (limit - pos < 8) return false;
      const uint16_t group = u16(pos), element = u16(pos + 2);
      if (group == 0xFFFE) {
        if (element == 0xE00D && until_delimiter) {  // item delimitation
          pos += 8;
          return true;
        }
        return false;
      }
      std::size_t p = pos + 4;
      DcmEVR vr = EVR_UN;
      uint32_t length = 0;
      if (explicit_) {
        const char a = static_cast<char>(data_[p]), b = static_cast<char>(data_[p + 1]);
        if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z') return false;
        const char name[3] = {a, b, 0};
        vr = DcmVR(name).getEVR();
        if (long_length(a, b)) {
          if (limit - pos < 12) return false;
          length = u32(p + 4);
          p += 8;
        } else {
          length = u16(p + 2);
          p += 4;
        }
      } else {
        length = u32(p);
        p += 4;
        vr = (group & 1) ? EVR_UN : DcmTag(group, element).getEVR();
      }
      path_.push(DcmTagKey(group, element));
      pos = p;
      if (!value(group, element, vr, length, pos, limit)) return false;
      path_.pop();
    }
    return !until_delimiter || end != npos;
  }

  bool has_hit() const { return hit_; }
  const std::string& hit() const { return hit_path_; }

  static constexpr std::size_t npos = static_cast<std::size_t>(-1);

 private:
  bool value(uint16_t group, uint16_t element, DcmEVR vr, uint32_t length, std::size_t& pos,
             std::size_t limit) {
    const DcmTagKey tag(group, element);
    if (length == kUndefined) {
      if (is_bulk_data(tag)) return skip_fragments(pos, limit);
      // SQ, or UN of undefined length, whose content is implicit VR little endian (PS3.5 6.2.2).
      const bool saved_explicit = explicit_, saved_little = little_;
      if (vr != EVR_SQ) explicit_ = false, little_ = true;
      const bool ok = items(pos, npos, limit);
      explicit_ = saved_explicit;
      little_ = saved_little;
      return ok;
    }
    if (length > limit - pos) return false;
    const std::size_t end = pos + length;
    if (vr == EVR_SQ) {
      if (!items(pos, end, limit)) return false;
      pos = end;
      return true;
    }
    if (!is_bulk_data(tag) && !is_binary_number_vr(vr)) search(pos, length);
    pos = end;
    return true;
  }

  // Items of a sequence in [pos, end) (end == npos: until the sequence delimiter).
  bool items(std::size_t& pos, std::size_t end, std::size_t limit) {
    // Deeper nesting than any real object: treat as unparsable (searched raw by the caller)
    // rather than recurse without bound.
    if (path_.depth() > kMaxDepth) return false;
    long index = 0;
    const std::size_t stop = end == npos ? limit : end;
    while (pos < stop && !hit_) {
      if (stop - pos < 8) return false;
      const uint16_t group = u16(pos), element = u16(pos + 2);
      const uint32_t length = u32(pos + 4);
      pos += 8;
      if (group != 0xFFFE) return false;
      if (element == 0xE0DD) return end == npos;  // sequence delimitation
      if (element != 0xE000) return false;
      path_.set_item(index++);
      if (length == kUndefined) {
        if (!elements(pos, npos, true)) return false;
      } else {
        if (length > stop - pos) return false;
        std::size_t p = pos;
        if (!elements(p, pos + length, false)) return false;
        pos += length;
      }
    }
    path_.set_item(-1);
    return end != npos || hit_;
  }

  bool skip_fragments(std::size_t& pos, std::size_t limit) {
    while (limit - pos >= 8) {
      const uint16_t group = u16(pos), element = u16(pos + 2);
      const uint32_t length = u32(pos + 4);
      pos += 8;
      if (group != 0xFFFE) return false;
      if (element == 0xE0DD) return true;
      if (element != 0xE000 || length > limit - pos) return false;
      pos += length;
    }
    return false;
  }

  void search(std::size_t pos, std::size_t length) {
    const std::string_view text(reinterpret_cast<const char*>(data_.data() + pos), length);
    if (m_.find_in(text)) {
      hit_ = true;
      hit_path_ = path_.str();
    }
  }

  uint16_t u16(std::size_t at) const {
    return little_ ? static_cast<uint16_t>(data_[at] | (data_[at + 1] << 8))
                   : static_cast<uint16_t>((data_[at] << 8) | data_[at + 1]);
  }
  uint32_t u32(std::size_t at) const {
    const uint32_t a = data_[at], b = data_[at + 1], c = data_[at + 2], d = data_[at + 3];
    return little_ ? (a | (b << 8) | (c << 16) | (d << 24))
                   : ((a << 24) | (b << 16) | (c << 8) | d);
  }

  std::span<const uint8_t> data_;
  const TokenMatcher& m_;
  bool little_;
  bool explicit_;
  TagPath path_;
  bool hit_ = false;
  std::string hit_path_;
};

std::optional<std::string> raw_search(std::span<const uint8_t> data, std::size_t from,
                                      const TokenMatcher& m, std::size_t reported_base = 0) {
  if (from >= data.size()) return std::nullopt;
  const std::string_view text(reinterpret_cast<const char*>(data.data() + from),
                              data.size() - from);
  if (m.find_in(text)) return "offset " + std::to_string(reported_base + from);
  return std::nullopt;
}

// Inflates a deflated data set (raw deflate, PS3.5 A.5). Empty on error.
std::vector<uint8_t> inflate_raw(std::span<const uint8_t> in) {
  std::vector<uint8_t> out;
  z_stream z{};
  if (inflateInit2(&z, -MAX_WBITS) != Z_OK) return out;
  z.next_in = const_cast<Bytef*>(in.data());
  z.avail_in = static_cast<uInt>(in.size());
  int rc = Z_OK;
  std::vector<uint8_t> chunk(1 << 16);
  while (rc == Z_OK) {
    z.next_out = chunk.data();
    z.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&z, Z_NO_FLUSH);
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - z.avail_out));
    if (rc == Z_BUF_ERROR && z.avail_in == 0) break;
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END && rc != Z_BUF_ERROR) out.clear();
  return out;
}

}  // namespace

std::optional<std::string> find_residual_in_bytes(std::span<const uint8_t> bytes,
                                                  const TokenMatcher& m) {
  if (m.empty()) return std::nullopt;
  if (bytes.size() < 132 || std::memcmp(bytes.data() + 128, "DICM", 4) != 0) {
    return raw_search(bytes, 0, m);  // not Part 10: everything is searched
  }
  if (m.find_in(std::string_view(reinterpret_cast<const char*>(bytes.data()), 128))) {
    return std::string("preamble");
  }
  // File meta: explicit VR little endian, group 0002 only; find its extent and the syntax.
  std::size_t pos = 132;
  std::size_t end = pos;
  std::string syntax;
  while (end + 8 <= bytes.size() && bytes[end] == 0x02 && bytes[end + 1] == 0x00) {
    const bool long_form =
        long_length(static_cast<char>(bytes[end + 4]), static_cast<char>(bytes[end + 5]));
    const std::size_t header = long_form ? 12 : 8;
    if (end + header > bytes.size()) break;
    const std::size_t len =
        long_form ? (std::size_t{bytes[end + 8]} | (std::size_t{bytes[end + 9]} << 8) |
                     (std::size_t{bytes[end + 10]} << 16) | (std::size_t{bytes[end + 11]} << 24))
                  : (std::size_t{bytes[end + 6]} | (std::size_t{bytes[end + 7]} << 8));
    if (len > bytes.size() - end - header) break;
    if (bytes[end + 2] == 0x10 && bytes[end + 3] == 0x00) {  // (0002,0010) TransferSyntaxUID
      syntax.assign(reinterpret_cast<const char*>(bytes.data() + end + header), len);
      while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' ')) syntax.pop_back();
    }
    end += header + len;
  }
  {
    ByteWalker meta(bytes, m, true, true);
    std::size_t p = pos;
    const bool ok = meta.elements(p, end, false);
    if (meta.has_hit()) return meta.hit();
    if (!ok) return raw_search(bytes, pos, m);
    pos = end;
  }
  const bool implicit = syntax == "1.2.840.10008.1.2";
  const bool big = syntax == "1.2.840.10008.1.2.2";
  if (syntax == "1.2.840.10008.1.2.1.99") {  // deflated explicit VR little endian
    const std::vector<uint8_t> inflated = inflate_raw(bytes.subspan(pos));
    if (inflated.empty()) return raw_search(bytes, pos, m);
    ByteWalker ds(inflated, m, true, true);
    std::size_t p = 0;
    const bool ok = ds.elements(p, inflated.size(), false);
    if (ds.has_hit()) return ds.hit();
    if (!ok) return raw_search(inflated, p, m);
    return std::nullopt;
  }
  ByteWalker ds(bytes, m, !big, !implicit);
  std::size_t p = pos;
  const bool ok = ds.elements(p, bytes.size(), false);
  if (ds.has_hit()) return ds.hit();
  if (!ok) return raw_search(bytes, p, m);
  return std::nullopt;
}

}  // namespace obia::deid
