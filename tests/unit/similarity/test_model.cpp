// The LibTorch model: a short training run on synthetic families, the saved TorchScript file
// meeting the hasher contract, determinism, and installation checks.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "index/similarity/hasher.h"
#include "index/similarity/model_store.h"
#include "index/similarity/torch_hasher.h"
#include "index/similarity/trainer.h"
#include "support.h"

using namespace obia;
using namespace obia::similarity;
using namespace simtest;

namespace {

TrainSet family_set(uint64_t first_variant, uint64_t variants, int size) {
  TrainSet s;
  for (uint64_t f = 0; f < 4; ++f)
    for (uint64_t v = first_variant; v < first_variant + variants; ++v) {
      s.images.push_back(to_u8(phantom(f, v, size)));
      s.labels.push_back(static_cast<int>(f));
    }
  return s;
}

}  // namespace

TEST(Model, TrainsSavesAndMeetsTheContract) {
  TempDir dir;
  TrainOptions o;
  o.size = 32;
  o.bits = 32;
  o.epochs = 2;
  o.batch = 32;
  o.k = 10;
  auto train = family_set(0, 40, 32), held = family_set(100, 8, 32);
  auto model = dir.path / "m.pt";
  unsigned epochs_seen = 0;
  auto r = train_hash_model(train, held, 4, o, model,
                            [&](const EpochReport& e) { epochs_seen = e.epoch; }, {});
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(epochs_seen, 2u);
  EXPECT_TRUE(std::isfinite(r->loss));
  EXPECT_GT(r->heldout_map, 0.3);  // 4 classes: chance is about 0.25 (quality: see bench/)
  ASSERT_TRUE(std::filesystem::exists(model));

  auto bits = probe_torch_model(model, 32);
  ASSERT_TRUE(bits.ok()) << bits.error().message;
  EXPECT_EQ(*bits, 32u);
  auto h = make_hasher("model/32/32/m.pt", dir.path);
  ASSERT_TRUE(h.ok()) << h.error().message;
  GrayImage img = phantom(1, 500, 32);
  auto a = hash_image(**h, img), b = hash_image(**h, img);
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->size(), 4u);
  // Batches give the same codes as single images.
  std::vector<GrayImage> batch = {img, phantom(2, 501, 32)};
  auto both = (*h)->hash(batch);
  ASSERT_TRUE(both.ok());
  EXPECT_EQ((*both)[0], *a);
  // The spec must match the model's width.
  EXPECT_FALSE(make_hasher("model/64/32/m.pt", dir.path).ok());

  // Installing copies it under a content name and records it for the next reindex.
  TestArchive ar;
  auto spec = install_model(ar.paths, model, 32);
  ASSERT_TRUE(spec.ok()) << spec.error().message;
  EXPECT_EQ(spec->rfind("model/32/32/", 0), 0u);
  EXPECT_EQ(installed_spec(ar.paths).value(), *spec);
  EXPECT_TRUE(make_hasher(*spec, models_dir(ar.paths)).ok());
}

TEST(Model, InstallRejectsFilesThatBreakTheContract) {
  TestArchive ar;
  auto junk = ar.dir.path / "junk.pt";
  std::ofstream(junk) << "not a model";
  auto r = install_model(ar.paths, junk, 128);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, EINVAL);
  EXPECT_EQ(installed_spec(ar.paths).value(), default_spec());
  EXPECT_FALSE(install_model(ar.paths, ar.dir.path / "missing.pt", 128).ok());
}
