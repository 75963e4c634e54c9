// Accession and tree naming rules (ARCHITECTURE §2-3) and node encoding.
#include <gtest/gtest.h>

#include "index/node.h"

using namespace obia::index;

TEST(Naming, AccessionFormats) {
  EXPECT_EQ(collection_accession("OBIA", 1), "OBIA0001");
  EXPECT_EQ(collection_accession("TCIA", 12345), "TCIA12345");  // grows, never wraps
  EXPECT_EQ(individual_accession(1), "I000001");
  EXPECT_EQ(individual_accession(1234567), "I1234567");
  EXPECT_EQ(study_accession(42), "S00000042");
}

TEST(Naming, SeriesAndImageNames) {
  EXPECT_EQ(series_name(1, "CT"), "001_CT");
  EXPECT_EQ(series_name(1234, "MR"), "1234_MR");
  EXPECT_EQ(series_name(2, ""), "002_OT");
  EXPECT_EQ(series_name(3, "../x"), "003_X");  // nothing but A-Z0-9 reaches a path
  EXPECT_EQ(series_name(-5, "CT"), "000_CT");
  EXPECT_EQ(image_name(7), "000007.dcm");
  EXPECT_EQ(image_name(1234567), "1234567.dcm");
}

TEST(Naming, NodeIdsEncodeKindAndSequence) {
  NodeId id = make_id(Kind::Image, 99);
  EXPECT_EQ(kind_of(id), Kind::Image);
  EXPECT_EQ(seq_of(id), 99u);
  EXPECT_EQ(kRootId, 1u);
  EXPECT_NE(make_id(Kind::Study, 1), make_id(Kind::Series, 1));
}

TEST(NodeEncoding, RoundTrip) {
  Node n;
  n.id = make_id(Kind::Image, 5);
  n.parent = make_id(Kind::Series, 2);
  n.name = "000005.dcm";
  n.uid = "2.25.1234";
  n.created = 1700000000;
  n.object.hash[0] = 0xab;
  n.object.variant = 2;
  n.size = 123456;
  n.attrs = {{"modality", "CT"}, {"empty", ""}};
  auto d = decode(n.id, encode(n));
  ASSERT_TRUE(d.has_value());
  EXPECT_EQ(d->parent, n.parent);
  EXPECT_EQ(d->name, n.name);
  EXPECT_EQ(d->uid, n.uid);
  EXPECT_EQ(d->created, n.created);
  EXPECT_EQ(d->object, n.object);
  EXPECT_EQ(d->size, n.size);
  EXPECT_EQ(d->attrs, n.attrs);
}

TEST(NodeEncoding, RejectsTruncatedOrForeignBytes) {
  Node n;
  n.name = "x";
  std::string e = encode(n);
  for (size_t cut = 0; cut < e.size(); ++cut)
    EXPECT_FALSE(decode(1, e.substr(0, cut)).has_value()) << "cut at " << cut;
  EXPECT_FALSE(decode(1, std::string("\x07garbage")).has_value());
}
