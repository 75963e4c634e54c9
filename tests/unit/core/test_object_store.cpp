// ObjectStore: content addressing, dedup, collisions, crash leftovers, verification.
#include <gtest/gtest.h>

#include <fstream>

#include "store/object_store.h"
#include "test_util.h"

using namespace obia;
using namespace obia::store;

namespace {
std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }
}  // namespace

TEST(ObjectStore, PutNamesObjectByContentHash) {
  TempDir t;
  auto s = ObjectStore::open(t.path);
  ASSERT_TRUE(s.ok());
  auto data = bytes("de-identified bytes");
  auto id = s->put(data);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_EQ(id->hash, content_hash(data));
  EXPECT_EQ(id->variant, 0u);
  EXPECT_EQ(id->name().size(), 32u);
  EXPECT_TRUE(std::filesystem::exists(s->path_of(*id)));
  EXPECT_EQ(s->path_of(*id).parent_path().filename(), id->name().substr(0, 2));
  auto size = s->size_of(*id);
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, data.size());
}

TEST(ObjectStore, IdenticalBytesStoredOnce) {
  TempDir t;
  auto s = ObjectStore::open(t.path);
  auto a = s->put(bytes("same"));
  auto b = s->put(bytes("same"));
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  int count = 0;
  ASSERT_TRUE(s->for_each([&](const ObjectId&, const std::filesystem::path&) { ++count; }).ok());
  EXPECT_EQ(count, 1);
  // No temp files left behind.
  EXPECT_TRUE(std::filesystem::is_empty(t.path / "tmp"));
}

TEST(ObjectStore, HashCollisionGetsAVariantName) {
  TempDir t;
  auto s = ObjectStore::open(t.path);
  auto real = bytes("the real content");
  // Simulate a collision: plant different bytes under the name `real` would get.
  ObjectId planted;
  planted.hash = content_hash(real);
  std::filesystem::create_directories(s->path_of(planted).parent_path());
  std::ofstream(s->path_of(planted)) << "other bytes with the same hash";
  auto id = s->put(real);
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(id->variant, 1u);
  EXPECT_EQ(id->name(), planted.name() + "-1");
  auto found = s->find(real);
  ASSERT_TRUE(found.ok());
  EXPECT_EQ(*found, *id);
}

TEST(ObjectStore, CheckDetectsDamage) {
  TempDir t;
  auto s = ObjectStore::open(t.path);
  auto id = s->put(bytes("intact object"));
  ASSERT_TRUE(id.ok());
  EXPECT_TRUE(*s->check(*id));
  std::filesystem::permissions(s->path_of(*id), std::filesystem::perms::owner_write,
                               std::filesystem::perm_options::add);
  std::ofstream(s->path_of(*id)) << "damaged object";
  EXPECT_FALSE(*s->check(*id));
}

TEST(ObjectStore, FindReportsAbsentObjects) {
  TempDir t;
  auto s = ObjectStore::open(t.path);
  auto r = s->find(bytes("never stored"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ENOENT);
}

TEST(ObjectStore, CleanTmpRemovesInterruptedWrites) {
  TempDir t;
  auto s = ObjectStore::open(t.path);
  std::ofstream(t.path / "tmp" / "half-written.XXXX") << "partial";
  ASSERT_TRUE(s->clean_tmp().ok());
  EXPECT_TRUE(std::filesystem::is_empty(t.path / "tmp"));
}

TEST(ObjectId, ParseRoundTripsAndRejectsJunk) {
  ObjectId id;
  id.hash = content_hash(bytes("x"));
  auto p = ObjectId::parse(id.name());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, id);
  id.variant = 3;
  EXPECT_EQ(ObjectId::parse(id.name())->variant, 3u);
  EXPECT_FALSE(ObjectId::parse("xyz").has_value());
  EXPECT_FALSE(ObjectId::parse(std::string(32, 'g')).has_value());
  EXPECT_FALSE(ObjectId::parse(id.name().substr(0, 32) + "-0").has_value());
  EXPECT_FALSE(ObjectId::parse(id.name().substr(0, 32) + "-").has_value());
}
