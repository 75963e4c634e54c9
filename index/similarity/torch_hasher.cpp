// TorchScript model inference behind the Hasher interface (one of the two LibTorch files).
#include "index/similarity/torch_hasher.h"

#include <ATen/Parallel.h>
#include <torch/script.h>

#include <cstring>

namespace obia::similarity {
namespace {

torch::Tensor batch_tensor(std::span<const GrayImage> images, unsigned size) {
  const int64_t n = static_cast<int64_t>(size);
  torch::Tensor x = torch::empty({static_cast<int64_t>(images.size()), 1, n, n}, torch::kFloat32);
  float* dst = x.data_ptr<float>();
  for (const GrayImage& img : images) {
    std::memcpy(dst, img.pixels.data(), img.pixels.size() * sizeof(float));
    dst += img.pixels.size();
  }
  return x;
}

Result<torch::Tensor> run(torch::jit::Module& module, torch::Tensor x) {
  try {
    c10::InferenceMode guard;
    torch::IValue out = module.forward({std::move(x)});
    if (!out.isTensor()) return make_error(EINVAL, "model output is not a tensor");
    return out.toTensor().to(torch::kFloat32).contiguous();
  } catch (const std::exception& e) {
    std::string msg = e.what();
    if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
    return make_error(EINVAL, "model failed: " + msg);
  }
}

class TorchHasher final : public Hasher {
 public:
  TorchHasher(torch::jit::Module module, unsigned bits, unsigned size, std::string spec)
      : module_(std::move(module)), bits_(bits), size_(size), spec_(std::move(spec)) {}
  const std::string& spec() const override { return spec_; }
  unsigned bits() const override { return bits_; }
  unsigned input_size() const override { return size_; }

  Result<std::vector<Code>> hash(std::span<const GrayImage> images) const override {
    for (const GrayImage& img : images)
      if (img.width != static_cast<int>(size_) || img.height != static_cast<int>(size_))
        return make_error(EINVAL, "image is not the model's input size");
    torch::jit::Module module = module_;  // a handle: forward() is safe from many threads
    auto out = run(module, batch_tensor(images, size_));
    if (!out) return out.error();
    if (out->dim() != 2 || out->size(0) != static_cast<int64_t>(images.size()) ||
        out->size(1) != static_cast<int64_t>(bits_))
      return make_error(EINVAL, "model output has the wrong shape");
    std::vector<Code> codes(images.size(), Code(bits_ / 8, 0));
    const float* v = out->data_ptr<float>();
    for (size_t i = 0; i < images.size(); ++i)
      for (unsigned b = 0; b < bits_; ++b)
        if (v[i * bits_ + b] > 0) codes[i][b / 8] |= static_cast<uint8_t>(1u << (b % 8));
    return codes;
  }

 private:
  torch::jit::Module module_;
  unsigned bits_, size_;
  std::string spec_;
};

struct Loaded {
  torch::jit::Module module;
  unsigned bits;
};

Result<Loaded> load_checked(const std::filesystem::path& file, unsigned size) {
  torch::jit::Module module;
  try {
    module = torch::jit::load(file.string(), torch::kCPU);
    module.eval();
  } catch (const std::exception& e) {
    std::string msg = e.what();
    if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
    return make_error(EINVAL, "cannot load TorchScript model " + file.string() + ": " + msg);
  }
  // Freezing inlines the weights and folds each batch norm into its convolution: one image at
  // 128 px (what ingest hashes) runs in about a quarter of the time. A model that cannot be
  // frozen (e.g. methods besides forward that use its attributes) runs as loaded.
  try {
    torch::jit::Module frozen = torch::jit::freeze(module);
    module = torch::jit::optimize_for_inference(frozen);
  } catch (const std::exception&) {
  }
  // Contract check: a batch of two images of N×N in, [2, K] out.
  auto x = torch::rand({2, 1, static_cast<int64_t>(size), static_cast<int64_t>(size)});
  auto out = run(module, x);
  if (!out) return out.error();
  if (out->dim() != 2 || out->size(0) != 2)
    return make_error(EINVAL, "model output must be [batch, K]; got " + std::to_string(out->dim()) +
                                  " dimensions");
  auto bits = static_cast<unsigned>(out->size(1));
  if (!valid_bits(bits))
    return make_error(EINVAL, "model outputs " + std::to_string(bits) +
                                  " values; K must be 32..256 and a multiple of 8");
  return Loaded{std::move(module), bits};
}

}  // namespace

Result<std::unique_ptr<Hasher>> load_torch_hasher(const std::filesystem::path& file, unsigned size,
                                                  const std::string& spec) {
  auto loaded = load_checked(file, size);
  if (!loaded) return loaded.error();
  return std::unique_ptr<Hasher>(
      std::make_unique<TorchHasher>(std::move(loaded->module), loaded->bits, size, spec));
}

Result<unsigned> probe_torch_model(const std::filesystem::path& file, unsigned size) {
  auto loaded = load_checked(file, size);
  if (!loaded) return loaded.error();
  return loaded->bits;
}

void set_torch_threads(int threads) {
  if (threads > 0) at::set_num_threads(threads);
}

}  // namespace obia::similarity
