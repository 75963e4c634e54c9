// PathTable: inbox/quarantine inode numbers with kernel lookup counts.
#include <gtest/gtest.h>

#include "fs/inodes.h"

using namespace obia::fs;

TEST(PathTable, SamePathSameInodeWhileReferenced) {
  PathTable t;
  uint64_t a = t.ref(Area::Inbox, "OBIA0001/x.dcm");
  uint64_t b = t.ref(Area::Inbox, "OBIA0001/x.dcm");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, t.ref(Area::Quarantine, "OBIA0001/x.dcm"));
  EXPECT_EQ(ino_kind(a), kInboxKind);
  t.forget(a, 1);
  EXPECT_TRUE(t.get(a).has_value());  // one reference left
  t.forget(a, 1);
  EXPECT_FALSE(t.get(a).has_value());
}

TEST(PathTable, RenameMovesEntriesBelow) {
  PathTable t;
  uint64_t dir = t.ref(Area::Inbox, "OBIA0001/d");
  uint64_t file = t.ref(Area::Inbox, "OBIA0001/d/f");
  uint64_t other = t.ref(Area::Inbox, "OBIA0001/dx");
  t.rename(Area::Inbox, "OBIA0001/d", "OBIA0001/e");
  EXPECT_EQ(t.get(dir)->rel, "OBIA0001/e");
  EXPECT_EQ(t.get(file)->rel, "OBIA0001/e/f");
  EXPECT_EQ(t.get(other)->rel, "OBIA0001/dx");
  EXPECT_EQ(t.ref(Area::Inbox, "OBIA0001/e/f"), file);
}

TEST(SidecarInodes, RoundTripToParent) {
  auto parent = obia::index::make_id(obia::index::Kind::Series, 77);
  uint64_t ino = sidecar_ino(parent);
  EXPECT_EQ(ino_kind(ino), kSidecarKind);
  EXPECT_EQ(sidecar_parent(ino), parent);
  EXPECT_FALSE(is_catalog_ino(ino));
}
