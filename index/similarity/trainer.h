// Training the CNN hashing model (implemented in torch_train.cpp, one of the two LibTorch
// files). The network: six 3×3 convolutions with batch norm and ReLU (16-32-64-64-128-128
// channels, four of them stride 2), global average pooling, a linear layer to K values and
// tanh; bit k = output k > 0. Loss: cross-entropy of a linear classifier on the tanh outputs
// (dropped after training) + batch-hard triplet loss on the normalised distance
// (K - u·v) / 2K + a quantisation term pulling outputs to ±1. Batches are class-balanced and
// augmented with shifts, intensity changes and noise, so that altered copies keep their code.
// Saved as TorchScript with the contract of torch_hasher.h.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

#include "common/result.h"

namespace obia::similarity {

struct TrainOptions {
  unsigned bits = 64;
  unsigned size = 128;  // N: images are N×N
  unsigned epochs = 8;  // an epoch: images / batch steps, at least 25
  unsigned batch = 64;
  double lr = 2e-3;            // Adam, cosine decay to 0 over the run
  double weight_decay = 1e-4;
  double margin = 0.25;        // triplet margin in normalised Hamming units (0..1)
  double quant_weight = 0.1;
  uint64_t seed = 1;
  int threads = 0;             // LibTorch threads (0: one per core)
  size_t k = 30;               // for the held-out mAP@k
};

// Images are size×size 8-bit values (image.h's to_u8), labels in [0, classes).
struct TrainSet {
  std::vector<std::vector<uint8_t>> images;
  std::vector<int> labels;
};

struct EpochReport {
  unsigned epoch = 0;
  double loss = 0;
  double heldout_map = 0, heldout_precision = 0;  // held-out queries against the training set
  double seconds = 0;
};

// Trains on `train`, scores on `heldout` after each epoch, saves TorchScript to `out`.
Result<EpochReport> train_hash_model(const TrainSet& train, const TrainSet& heldout,
                                     size_t classes, const TrainOptions& options,
                                     const std::filesystem::path& out,
                                     const std::function<void(const EpochReport&)>& on_epoch,
                                     const std::function<void(size_t, size_t)>& on_step);

}  // namespace obia::similarity
