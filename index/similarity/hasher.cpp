// Hasher specs, the hasher factory and Hamming distance.
#include "index/similarity/hasher.h"

#include <bit>
#include <charconv>
#include <cstring>

#include "index/similarity/projection_hasher.h"
#include "index/similarity/torch_hasher.h"

namespace obia::similarity {

uint32_t hamming(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  uint32_t d = 0;
  size_t n = std::min(a.size(), b.size()), i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t x, y;
    std::memcpy(&x, a.data() + i, 8);
    std::memcpy(&y, b.data() + i, 8);
    d += static_cast<uint32_t>(std::popcount(x ^ y));
  }
  for (; i < n; ++i) d += static_cast<uint32_t>(std::popcount(static_cast<unsigned>(a[i] ^ b[i])));
  return d;
}

bool valid_bits(unsigned bits) { return bits >= 32 && bits <= 256 && bits % 8 == 0; }

std::string HasherSpec::str() const {
  std::string s = kind + "/" + std::to_string(bits) + "/" + std::to_string(size);
  if (!file.empty()) s += "/" + file;
  return s;
}

Result<HasherSpec> HasherSpec::parse(const std::string& spec) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t slash = spec.find('/'); slash != std::string::npos; slash = spec.find('/', start)) {
    parts.push_back(spec.substr(start, slash - start));
    start = slash + 1;
  }
  parts.push_back(spec.substr(start));
  auto bad = [&] { return make_error(EINVAL, "bad hasher spec '" + spec + "'"); };
  if (parts.size() < 3) return bad();
  HasherSpec s;
  s.kind = parts[0];
  auto num = [](const std::string& t, unsigned& v) {
    auto r = std::from_chars(t.data(), t.data() + t.size(), v);
    return r.ec == std::errc() && r.ptr == t.data() + t.size();
  };
  if (!num(parts[1], s.bits) || !num(parts[2], s.size)) return bad();
  if (!valid_bits(s.bits) || s.size < 16 || s.size > 1024) return bad();
  if (s.kind == "projection" && parts.size() == 3) return s;
  if (s.kind == "model" && parts.size() == 4 && !parts[3].empty() &&
      parts[3].find("..") == std::string::npos) {
    s.file = parts[3];
    return s;
  }
  return bad();
}

std::string default_spec() { return HasherSpec{"projection", kDefaultBits, kDefaultSize, {}}.str(); }

Result<std::unique_ptr<Hasher>> make_hasher(const std::string& spec,
                                            const std::filesystem::path& models_dir) {
  auto s = HasherSpec::parse(spec);
  if (!s) return s.error();
  if (s->kind == "projection")
    return std::unique_ptr<Hasher>(std::make_unique<ProjectionHasher>(s->bits, s->size));
  auto h = load_torch_hasher(models_dir / s->file, s->size, s->str());
  if (!h) return h.error();
  if ((*h)->bits() != s->bits)
    return make_error(EINVAL, "model " + s->file + " outputs " + std::to_string((*h)->bits()) +
                                  " bits, its spec says " + std::to_string(s->bits));
  return h;
}

Result<Code> hash_image(const Hasher& hasher, const GrayImage& decoded) {
  const int n = static_cast<int>(hasher.input_size());
  GrayImage input = resize(decoded, n, n);
  auto codes = hasher.hash(std::span<const GrayImage>(&input, 1));
  if (!codes) return codes.error();
  return std::move((*codes)[0]);
}

}  // namespace obia::similarity
