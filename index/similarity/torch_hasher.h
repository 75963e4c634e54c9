// A TorchScript CNN as a Hasher (implemented in torch_hasher.cpp, the only file besides
// torch_train.cpp that includes LibTorch). Model contract (docs/similarity.md):
//   input   float32 tensor [B, 1, N, N], values in [0,1] (decode.h's normalised image)
//   output  float32 tensor [B, K], K in 32..256 and a multiple of 8; bit k = output[:, k] > 0
//           (a model ending in tanh, as ours does, or returning raw logits both fit)
#pragma once

#include <filesystem>
#include <memory>

#include "index/similarity/hasher.h"

namespace obia::similarity {

// Loads a TorchScript file and checks the contract by running it on a [2,1,N,N] batch.
Result<std::unique_ptr<Hasher>> load_torch_hasher(const std::filesystem::path& file,
                                                  unsigned size, const std::string& spec);

// Runs the contract check only; returns K.
Result<unsigned> probe_torch_model(const std::filesystem::path& file, unsigned size);

// LibTorch intra-op threads for this process (0 leaves the default).
void set_torch_threads(int threads);

}  // namespace obia::similarity
