// Training the CNN hashing model with LibTorch on the CPU (one of the two LibTorch files).
// The network is a torch::jit::Module defined from TorchScript source, trained directly and
// saved as is, so the trained graph and the installed file are the same thing.
#include <torch/script.h>
#include <torch/torch.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cmath>
#include <numbers>
#include <random>
#include <thread>

#include "index/similarity/evaluate.h"
#include "index/similarity/trainer.h"

namespace obia::similarity {
namespace {

struct Layer {
  int in, out, stride;
};
constexpr Layer kLayers[] = {{1, 16, 2}, {16, 32, 2}, {32, 64, 2}, {64, 64, 1}, {64, 128, 2}, {128, 128, 1}};
constexpr int kFeatures = 128;

std::string forward_source() {
  std::string s =
      "def conv_bn_relu(self, x: Tensor, w: Tensor, g: Tensor, b: Tensor, rm: Tensor, rv: Tensor,"
      " stride: int) -> Tensor:\n"
      "    y = torch.conv2d(x, w, None, [stride, stride], [1, 1])\n"
      "    y = torch.batch_norm(y, g, b, rm, rv, self.training, 0.1, 1e-5, False)\n"
      "    return torch.relu(y)\n"
      "\n"
      "def forward(self, x: Tensor) -> Tensor:\n"
      "    y = x - 0.5\n";
  for (size_t i = 0; i < std::size(kLayers); ++i) {
    std::string c = "self.c" + std::to_string(i);
    s += "    y = self.conv_bn_relu(y, " + c + "_w, " + c + "_g, " + c + "_b, " + c + "_rm, " + c +
         "_rv, " + std::to_string(kLayers[i].stride) + ")\n";
  }
  s += "    y = y.mean([2, 3])\n"
       "    return torch.tanh(torch.linear(y, self.fc_w, self.fc_b))\n";
  return s;
}

torch::jit::Module make_model(unsigned bits, unsigned size) {
  torch::jit::Module m("ObiaHashNet");
  m.register_attribute("training", c10::BoolType::get(), true);
  m.register_attribute("input_size", c10::IntType::get(), static_cast<int64_t>(size));
  m.register_attribute("bits", c10::IntType::get(), static_cast<int64_t>(bits));
  for (size_t i = 0; i < std::size(kLayers); ++i) {
    const Layer& l = kLayers[i];
    std::string c = "c" + std::to_string(i);
    double fan_in = l.in * 9.0;  // Kaiming-normal for ReLU
    m.register_parameter(c + "_w", torch::randn({l.out, l.in, 3, 3}) * std::sqrt(2.0 / fan_in), false);
    m.register_parameter(c + "_g", torch::ones({l.out}), false);
    m.register_parameter(c + "_b", torch::zeros({l.out}), false);
    m.register_buffer(c + "_rm", torch::zeros({l.out}));
    m.register_buffer(c + "_rv", torch::ones({l.out}));
  }
  m.register_parameter("fc_w", torch::randn({static_cast<int64_t>(bits), kFeatures}) *
                                   std::sqrt(1.0 / kFeatures), false);
  m.register_parameter("fc_b", torch::zeros({static_cast<int64_t>(bits)}), false);
  m.define(forward_source());
  for (auto p : m.parameters()) p.set_requires_grad(true);
  return m;
}

torch::Tensor to_tensor(const TrainSet& set, const std::vector<size_t>& which, unsigned size) {
  const int64_t n = size;
  auto x = torch::empty({static_cast<int64_t>(which.size()), 1, n, n}, torch::kUInt8);
  uint8_t* dst = x.data_ptr<uint8_t>();
  for (size_t i : which) {
    std::memcpy(dst, set.images[i].data(), static_cast<size_t>(n * n));
    dst += n * n;
  }
  return x.to(torch::kFloat32).div_(255.0);
}

// Shift by up to N/16 pixels (zero fill), scale and offset intensities, add noise.
torch::Tensor augment(torch::Tensor x, std::mt19937_64& rng) {
  const int64_t b = x.size(0), n = x.size(2), pad = std::max<int64_t>(1, n / 16);
  auto padded = torch::constant_pad_nd(x, {pad, pad, pad, pad}, 0.0);
  std::uniform_int_distribution<int64_t> shift(0, 2 * pad);
  std::vector<torch::Tensor> crops;
  crops.reserve(static_cast<size_t>(b));
  for (int64_t i = 0; i < b; ++i)
    crops.push_back(padded[i].narrow(1, shift(rng), n).narrow(2, shift(rng), n));
  auto y = torch::stack(crops);
  auto scale = torch::empty({b, 1, 1, 1}).uniform_(0.8, 1.2);
  auto offset = torch::empty({b, 1, 1, 1}).uniform_(-0.1, 0.1);
  auto sigma = torch::empty({b, 1, 1, 1}).uniform_(0.0, 0.04);
  y = y * scale + offset + torch::randn_like(y) * sigma;
  return y.clamp(0.0, 1.0);
}

// Class-balanced batch: P classes, the rest of the batch spread over them.
std::vector<size_t> sample_batch(const std::vector<std::vector<size_t>>& by_class, unsigned batch,
                                 std::mt19937_64& rng) {
  std::vector<size_t> classes;
  for (size_t c = 0; c < by_class.size(); ++c)
    if (!by_class[c].empty()) classes.push_back(c);
  std::shuffle(classes.begin(), classes.end(), rng);
  size_t p = std::min<size_t>(classes.size(), std::max<unsigned>(2, batch / 4));
  size_t per = std::max<size_t>(2, batch / p);
  std::vector<size_t> out;
  for (size_t ci = 0; ci < p; ++ci) {
    const auto& members = by_class[classes[ci]];
    std::uniform_int_distribution<size_t> pick(0, members.size() - 1);
    for (size_t j = 0; j < per; ++j) out.push_back(members[pick(rng)]);
  }
  return out;
}

torch::Tensor batch_hard_triplet(const torch::Tensor& u, const torch::Tensor& y, double margin) {
  const double k = static_cast<double>(u.size(1));
  auto d = (k - u.matmul(u.t())) / (2.0 * k);  // 0 identical .. 1 opposite
  auto same = y.unsqueeze(1).eq(y.unsqueeze(0));
  auto eye = torch::eye(u.size(0), torch::kBool);
  auto pos = same.logical_and(eye.logical_not());
  auto neg = same.logical_not();
  auto hardest_pos = (d * pos.to(torch::kFloat32)).amax(1);
  auto hardest_neg = (d + neg.logical_not().to(torch::kFloat32) * 2.0).amin(1);
  auto valid = pos.any(1).logical_and(neg.any(1));
  if (!valid.any().item<bool>()) return torch::zeros({});
  return torch::relu(hardest_pos - hardest_neg + margin).masked_select(valid).mean();
}

std::vector<Code> codes_of(torch::jit::Module& m, const TrainSet& set, unsigned size, unsigned bits) {
  torch::NoGradGuard no_grad;
  std::vector<Code> out;
  out.reserve(set.images.size());
  for (size_t start = 0; start < set.images.size(); start += 128) {
    std::vector<size_t> which;
    for (size_t i = start; i < std::min(set.images.size(), start + 128); ++i) which.push_back(i);
    auto u = m.forward({to_tensor(set, which, size)}).toTensor().contiguous();
    const float* v = u.data_ptr<float>();
    for (size_t i = 0; i < which.size(); ++i) {
      Code c(bits / 8, 0);
      for (unsigned b = 0; b < bits; ++b)
        if (v[i * bits + b] > 0) c[b / 8] |= static_cast<uint8_t>(1u << (b % 8));
      out.push_back(std::move(c));
    }
  }
  return out;
}

}  // namespace

Result<EpochReport> train_hash_model(const TrainSet& train, const TrainSet& heldout,
                                     size_t classes, const TrainOptions& o,
                                     const std::filesystem::path& out,
                                     const std::function<void(const EpochReport&)>& on_epoch,
                                     const std::function<void(size_t, size_t)>& on_step) {
  if (!valid_bits(o.bits)) return make_error(EINVAL, "bits must be 32..256, a multiple of 8");
  if (o.size < 32 || o.size > 512) return make_error(EINVAL, "size must be 32..512");
  if (train.images.empty() || classes < 2) return make_error(EINVAL, "need two classes to train");
  try {
    torch::manual_seed(o.seed);
    at::set_num_threads(o.threads > 0 ? o.threads
                                      : static_cast<int>(std::max(1u, std::thread::hardware_concurrency())));
    std::mt19937_64 rng(o.seed);
    auto model = make_model(o.bits, o.size);
    auto head_w = (torch::randn({static_cast<int64_t>(classes), static_cast<int64_t>(o.bits)}) * 0.01)
                      .set_requires_grad(true);
    auto head_b = torch::zeros({static_cast<int64_t>(classes)}).set_requires_grad(true);
    std::vector<torch::Tensor> params{head_w, head_b};
    for (auto p : model.parameters()) params.push_back(p);
    torch::optim::Adam opt(params, torch::optim::AdamOptions(o.lr).weight_decay(o.weight_decay));

    std::vector<std::vector<size_t>> by_class(classes);
    for (size_t i = 0; i < train.labels.size(); ++i) by_class[static_cast<size_t>(train.labels[i])].push_back(i);
    // An epoch is one pass worth of batches, but at least 25 steps: small sets still train.
    const size_t steps = std::max<size_t>(25, (train.images.size() + o.batch - 1) / o.batch);
    const size_t total = steps * o.epochs;
    EpochReport report;
    for (unsigned epoch = 1; epoch <= o.epochs; ++epoch) {
      auto t0 = std::chrono::steady_clock::now();
      model.train();
      double loss_sum = 0;
      for (size_t s = 0; s < steps; ++s) {
        size_t t = (epoch - 1) * steps + s;
        double lr = o.lr * 0.5 * (1.0 + std::cos(std::numbers::pi * static_cast<double>(t) / static_cast<double>(total)));
        static_cast<torch::optim::AdamOptions&>(opt.param_groups()[0].options()).lr(lr);
        auto which = sample_batch(by_class, o.batch, rng);
        std::vector<int64_t> ys;
        for (size_t i : which) ys.push_back(train.labels[i]);
        auto x = augment(to_tensor(train, which, o.size), rng);
        auto y = torch::tensor(ys, torch::kInt64);
        opt.zero_grad();
        auto u = model.forward({x}).toTensor();
        auto ce = torch::nn::functional::cross_entropy(torch::linear(u, head_w, head_b), y);
        auto trip = batch_hard_triplet(u, y, o.margin);
        auto quant = (u.abs() - 1.0).pow(2).mean();
        auto loss = ce + trip + o.quant_weight * quant;
        loss.backward();
        opt.step();
        loss_sum += loss.item<double>();
        if (on_step) on_step(t + 1, total);
      }
      model.eval();
      report.epoch = epoch;
      report.loss = loss_sum / static_cast<double>(steps);
      if (!heldout.images.empty()) {
        auto db = codes_of(model, train, o.size, o.bits);
        auto q = codes_of(model, heldout, o.size, o.bits);
        auto score = evaluate_retrieval(db, train.labels, q, heldout.labels, o.k, false);
        if (!score) return score.error();
        report.heldout_map = score->map;
        report.heldout_precision = score->precision;
      }
      report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (on_epoch) on_epoch(report);
    }
    model.eval();
    model.save(out.string());
    return report;
  } catch (const std::exception& e) {
    std::string msg = e.what();
    if (auto nl = msg.find('\n'); nl != std::string::npos) msg.resize(nl);
    return make_error(EIO, "training failed: " + msg);
  }
}

}  // namespace obia::similarity
