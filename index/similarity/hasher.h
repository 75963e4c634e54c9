// The Hasher interface: a normalised N×N image to a K-bit binary code (K in 32..256, a multiple
// of 8), compared by Hamming distance. Implementations: the training-free random-projection
// code (projection_hasher.h) and a TorchScript CNN (torch_hasher.h). A hasher is named by its
// spec string, which is stored beside the codes so that queries always use the hasher that
// made the stored codes:
//   projection/K/N          e.g. projection/64/128
//   model/K/N/FILE          e.g. model/64/128/3f2a...e1.pt  (FILE under ARCHIVE/similarity/models/)
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "index/similarity/image.h"

namespace obia::similarity {

// K/8 bytes; bit i is bit (i % 8) of byte i / 8.
using Code = std::vector<uint8_t>;

uint32_t hamming(std::span<const uint8_t> a, std::span<const uint8_t> b);
bool valid_bits(unsigned bits);  // 32..256, multiple of 8

class Hasher {
 public:
  virtual ~Hasher() = default;
  virtual const std::string& spec() const = 0;
  virtual unsigned bits() const = 0;
  virtual unsigned input_size() const = 0;  // N: hash() takes N×N images
  // One code per image (each input_size() square). Thread-safe; never modifies the hasher.
  virtual Result<std::vector<Code>> hash(std::span<const GrayImage> images) const = 0;
};

struct HasherSpec {
  std::string kind;  // "projection" or "model"
  unsigned bits = 64;
  unsigned size = 128;
  std::string file;  // model only: file name under the models directory

  std::string str() const;
  static Result<HasherSpec> parse(const std::string& spec);
};

constexpr unsigned kDefaultBits = 64;
constexpr unsigned kDefaultSize = 128;
std::string default_spec();  // projection/64/128

// Builds the hasher a spec names; model files are looked up in `models_dir`.
Result<std::unique_ptr<Hasher>> make_hasher(const std::string& spec,
                                            const std::filesystem::path& models_dir);

// Decoded image -> hasher input (resize to N×N) -> code. Convenience for single images.
Result<Code> hash_image(const Hasher& hasher, const GrayImage& decoded);

}  // namespace obia::similarity
