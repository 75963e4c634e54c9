// Catalog: accession allocation, the one-transaction image commit, duplicates, conflicts,
// mixed patients, naming collisions, persistence, series totals and their schema-1 migration.
#include <gtest/gtest.h>

#include "index/catalog.h"
#include "store/object_id.h"
#include "test_util.h"

using namespace obia;
using namespace obia::index;

namespace {

PatientKey key(uint8_t b) {
  PatientKey k{};
  k.fill(b);
  return k;
}

store::ObjectId object(const std::string& content) {
  store::ObjectId id;
  id.hash = store::content_hash({reinterpret_cast<const uint8_t*>(content.data()), content.size()});
  return id;
}

struct CatalogTest : ::testing::Test {
  TempDir dir;
  std::unique_ptr<Catalog> cat;
  NodeId coll = 0;
  void SetUp() override {
    auto c = Catalog::open(dir.path / "catalog", true, "OBIA");
    ASSERT_TRUE(c.ok()) << c.error().message;
    cat = std::move(*c);
    auto n = cat->create_collection({{"title", "Test"}}, 1000);
    ASSERT_TRUE(n.ok());
    coll = n->id;
  }
  ImageCommit image(NodeId individual, const std::string& study, const std::string& series,
                    const std::string& sop, int64_t instance, const std::string& content = "") {
    ImageCommit c;
    c.collection = coll;
    c.individual = individual;
    c.study_uid = study;
    c.series_uid = series;
    c.sop_uid = sop;
    c.series_number = 1;
    c.modality = "CT";
    c.instance_number = instance;
    c.object = object(content.empty() ? sop : content);
    c.size = 100;
    c.now = 2000;
    return c;
  }
};

}  // namespace

TEST_F(CatalogTest, CollectionsGetSequentialAccessions) {
  auto second = cat->create_collection({{"title", "Second"}}, 1000);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->accession, "OBIA0002");
  auto colls = cat->collections();
  ASSERT_TRUE(colls.ok());
  ASSERT_EQ(colls->size(), 2u);
  EXPECT_EQ((*colls)[0].accession, "OBIA0001");
  EXPECT_EQ((*colls)[0].attr("title"), "Test");
  auto found = cat->collection_by_accession("OBIA0002");
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->id, second->id);
}

TEST_F(CatalogTest, SamePatientKeyMapsToSameIndividual) {
  auto a = cat->individual_for(coll, key(1), 1);
  auto b = cat->individual_for(coll, key(1), 2);
  auto c = cat->individual_for(coll, key(2), 3);
  ASSERT_TRUE(a.ok() && b.ok() && c.ok());
  EXPECT_EQ(a->accession, "I000001");
  EXPECT_EQ(b->id, a->id);
  EXPECT_EQ(c->accession, "I000002");
  // Another collection: same local ID, different person.
  auto other = cat->create_collection({}, 1);
  auto d = cat->individual_for(other->id, key(1), 4);
  EXPECT_NE(d->id, a->id);
}

TEST_F(CatalogTest, ReservedIndividualAppearsWithFirstImage) {
  auto ind = cat->individual_for(coll, key(1), 1);
  EXPECT_TRUE(cat->children(coll)->empty());
  auto r = cat->commit_image(image(ind->id, "1.1", "1.1.1", "1.1.1.1", 1));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, CommitStatus::Archived);
  auto kids = cat->children(coll);
  ASSERT_EQ(kids->size(), 1u);
  EXPECT_EQ((*kids)[0].name, "I000001");
}

TEST_F(CatalogTest, CommitBuildsTheTree) {
  auto ind = cat->individual_for(coll, key(1), 1);
  for (int i = 3; i >= 1; --i)
    ASSERT_EQ(
        cat->commit_image(image(ind->id, "1.1", "1.1.1", "1.1.1." + std::to_string(i), i))->status,
        CommitStatus::Archived);
  auto study = cat->lookup(ind->id, "S00000001");
  ASSERT_TRUE(study.ok() && study->has_value());
  auto series = cat->lookup(**study, "001_CT");
  ASSERT_TRUE(series.ok() && series->has_value());
  auto images = cat->children(**series);
  ASSERT_EQ(images->size(), 3u);
  EXPECT_EQ((*images)[0].name, "000001.dcm");
  EXPECT_EQ((*images)[2].name, "000003.dcm");
  EXPECT_EQ((*images)[0].uid, "1.1.1.1");
  auto counters = cat->counters(coll);
  EXPECT_EQ(counters->archived, 3u);
  EXPECT_EQ(counters->submitted, 3u);
  EXPECT_EQ(*cat->object_refs(object("1.1.1.1")), 1u);
}

TEST_F(CatalogTest, MissingOrTakenInstanceNumbersGetTheNextFreeName) {
  auto ind = cat->individual_for(coll, key(1), 1);
  ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "a", 5)).ok());
  ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "b", 5)).ok());  // taken -> 6
  ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "c", 0)).ok());  // absent -> 7
  ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "d", 2)).ok());  // free -> 2
  auto series = *cat->find_uid(Kind::Series, "1.1.1");
  std::vector<std::string> names;
  auto kids = cat->children(*series);  // a named Result: `*temporary` in a range-for dangles
  ASSERT_TRUE(kids.ok());
  for (auto& n : *kids) names.push_back(n.name + "=" + n.uid);
  EXPECT_EQ(names, (std::vector<std::string>{"000002.dcm=d", "000005.dcm=a", "000006.dcm=b",
                                             "000007.dcm=c"}));
}

TEST_F(CatalogTest, SeriesNamesAreUniqueWithinAStudy) {
  auto ind = cat->individual_for(coll, key(1), 1);
  ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "a", 1)).ok());
  ASSERT_TRUE(
      cat->commit_image(image(ind->id, "1.1", "1.1.2", "b", 1)).ok());  // same number and modality
  auto study = *cat->find_uid(Kind::Study, "1.1");
  std::vector<std::string> names;
  auto kids = cat->children(*study);
  ASSERT_TRUE(kids.ok());
  for (auto& n : *kids) names.push_back(n.name);
  EXPECT_EQ(names, (std::vector<std::string>{"001_CT", "001_CT-2"}));
}

TEST_F(CatalogTest, DuplicateAndConflict) {
  auto ind = cat->individual_for(coll, key(1), 1);
  ASSERT_EQ(cat->commit_image(image(ind->id, "1.1", "1.1.1", "sop", 1, "v1"))->status,
            CommitStatus::Archived);
  auto dup = cat->commit_image(image(ind->id, "1.1", "1.1.1", "sop", 1, "v1"));
  EXPECT_EQ(dup->status, CommitStatus::Duplicate);
  auto conflict = cat->commit_image(image(ind->id, "1.1", "1.1.1", "sop", 1, "v2"));
  EXPECT_EQ(conflict->status, CommitStatus::Conflict);
  auto c = cat->counters(coll);
  EXPECT_EQ(c->archived, 1u);
  EXPECT_EQ(c->duplicates, 1u);
  EXPECT_EQ(c->submitted, 2u);  // the conflict is counted when it is quarantined
  EXPECT_EQ(*cat->object_refs(object("v1")), 1u);
}

TEST_F(CatalogTest, StudyOfAnotherIndividualIsAMixedPatient) {
  auto a = cat->individual_for(coll, key(1), 1);
  auto b = cat->individual_for(coll, key(2), 1);
  ASSERT_TRUE(cat->commit_image(image(a->id, "1.1", "1.1.1", "x", 1)).ok());
  auto r = cat->commit_image(image(b->id, "1.1", "1.1.1", "y", 2));
  EXPECT_EQ(r->status, CommitStatus::MixedPatient);
  EXPECT_NE(r->detail.find("I000001"), std::string::npos);
  EXPECT_NE(r->detail.find("I000002"), std::string::npos);
  EXPECT_FALSE(cat->find_uid(Kind::Image, "y")->has_value());  // nothing committed
}

TEST_F(CatalogTest, CountersPersistAndAreNeverReused) {
  auto ind = cat->individual_for(coll, key(1), 1);
  ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "x", 1)).ok());
  cat.reset();
  auto reopened = Catalog::open(dir.path / "catalog", false);
  ASSERT_TRUE(reopened.ok());
  cat = std::move(*reopened);
  EXPECT_EQ(cat->prefix(), "OBIA");
  auto ind2 = cat->individual_for(coll, key(9), 1);
  EXPECT_EQ(ind2->accession, "I000002");
  auto c2 = cat->create_collection({}, 1);
  EXPECT_EQ(c2->accession, "OBIA0002");
  auto again = cat->individual_for(coll, key(1), 1);
  EXPECT_EQ(again->accession, "I000001");
}

TEST_F(CatalogTest, OpenWithoutCreateFailsOnMissingCatalog) {
  auto r = Catalog::open(dir.path / "nope", false);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ENOENT);
}

TEST_F(CatalogTest, ForEachImageVisitsAllImages) {
  auto ind = cat->individual_for(coll, key(1), 1);
  for (int i = 1; i <= 5; ++i)
    ASSERT_TRUE(
        cat->commit_image(image(ind->id, "1.1", "1.1.1", "sop" + std::to_string(i), i)).ok());
  int n = 0;
  ASSERT_TRUE(cat->for_each_image([&](const Node& node) {
                   EXPECT_EQ(node.kind(), Kind::Image);
                   ++n;
                 })
                  .ok());
  EXPECT_EQ(n, 5);
}

TEST_F(CatalogTest, ImagesAfterTheLastSeenAreTheNewOnes) {
  auto none = cat->last_image();
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(*none, 0u);
  auto ind = cat->individual_for(coll, key(1), 1);
  std::vector<NodeId> ids;
  for (int i = 1; i <= 3; ++i) {
    auto r = cat->commit_image(image(ind->id, "1.1", "1.1.1", "sop" + std::to_string(i), i));
    ASSERT_TRUE(r.ok());
    ids.push_back(r->image);
  }
  auto seen = cat->last_image();
  ASSERT_TRUE(seen.ok());
  EXPECT_EQ(*seen, ids.back());
  // A duplicate commits nothing new; two more images do.
  ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "sop1", 1)).ok());
  for (int i = 4; i <= 5; ++i)
    ASSERT_TRUE(
        cat->commit_image(image(ind->id, "1.1", "1.1.1", "sop" + std::to_string(i), i)).ok());
  std::vector<std::string> after;
  ASSERT_TRUE(
      cat->for_each_image_after(*seen, [&](const Node& n) { after.push_back(n.uid); }).ok());
  EXPECT_EQ(after, (std::vector<std::string>{"sop4", "sop5"}));
  std::vector<std::string> all;
  ASSERT_TRUE(cat->for_each_image_after(0, [&](const Node& n) { all.push_back(n.uid); }).ok());
  EXPECT_EQ(all.size(), 5u);
  auto last = cat->last_image();
  ASSERT_TRUE(last.ok());
  std::vector<std::string> none_after;
  ASSERT_TRUE(
      cat->for_each_image_after(*last, [&](const Node& n) { none_after.push_back(n.uid); }).ok());
  EXPECT_TRUE(none_after.empty());
}

TEST_F(CatalogTest, FindIndividualNeverCreatesOne) {
  EXPECT_FALSE(cat->find_individual(coll, key(1))->has_value());
  EXPECT_FALSE(cat->find_individual(coll, key(1))->has_value());  // still not reserved
  auto ind = cat->individual_for(coll, key(1), 1);
  ASSERT_TRUE(ind.ok());
  auto found = cat->find_individual(coll, key(1));
  ASSERT_TRUE(found.ok());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, ind->id);
  auto other = cat->create_collection({}, 1);
  EXPECT_FALSE(cat->find_individual(other->id, key(1))->has_value());  // keyed per collection
  EXPECT_EQ(cat->individual_for(coll, key(2), 1)->accession, "I000002");
}

TEST_F(CatalogTest, CommitKeepsSeriesTotals) {
  auto ind = cat->individual_for(coll, key(1), 1);
  for (int i = 1; i <= 3; ++i)
    ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "a" + std::to_string(i), i)).ok());
  auto b = image(ind->id, "1.1", "1.1.2", "b1", 1);
  b.size = 7;
  ASSERT_TRUE(cat->commit_image(b).ok());
  // Neither a duplicate nor a conflict changes them.
  ASSERT_EQ(cat->commit_image(image(ind->id, "1.1", "1.1.1", "a1", 1))->status,
            CommitStatus::Duplicate);
  ASSERT_EQ(cat->commit_image(image(ind->id, "1.1", "1.1.1", "a1", 1, "other"))->status,
            CommitStatus::Conflict);
  auto a_id = cat->find_uid(Kind::Series, "1.1.1");
  auto b_id = cat->find_uid(Kind::Series, "1.1.2");
  auto ta = stored_totals(*cat->get(**a_id));
  auto tb = stored_totals(*cat->get(**b_id));
  ASSERT_TRUE(ta && tb);
  EXPECT_EQ(*ta, (SeriesTotals{3, 300}));
  EXPECT_EQ(*tb, (SeriesTotals{1, 7}));
  auto bad = cat->check_series_totals();
  ASSERT_TRUE(bad.ok());
  EXPECT_TRUE(bad->empty());
}

TEST_F(CatalogTest, WrongTotalsAreFoundAndRepaired) {
  auto ind = cat->individual_for(coll, key(1), 1);
  for (int i = 1; i <= 2; ++i)
    ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "a" + std::to_string(i), i)).ok());
  NodeId series = **cat->find_uid(Kind::Series, "1.1.1");
  ASSERT_TRUE(cat->update_node_attrs(series, {{"_images", "5"}}).ok());
  auto bad = cat->check_series_totals();
  ASSERT_EQ(bad->size(), 1u);
  EXPECT_EQ((*bad)[0].series, series);
  EXPECT_EQ((*bad)[0].stored, (SeriesTotals{5, 200}));
  EXPECT_EQ((*bad)[0].counted, (SeriesTotals{2, 200}));
  EXPECT_EQ(*cat->repair_series_totals(), 1u);
  EXPECT_TRUE(cat->check_series_totals()->empty());
  EXPECT_EQ(*cat->repair_series_totals(), 0u);
  // A series without totals (damage) is recounted by the next commit, not started from zero.
  ASSERT_TRUE(cat->update_node_attrs(series, {{"_images", ""}, {"_bytes", ""}}).ok());
  EXPECT_FALSE(stored_totals(*cat->get(series)));
  ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "a3", 3)).ok());
  EXPECT_EQ(stored_totals(*cat->get(series)), (SeriesTotals{3, 300}));
}

TEST_F(CatalogTest, SchemaOneCatalogGetsTotalsOnOpen) {
  auto ind = cat->individual_for(coll, key(1), 1);
  for (int i = 1; i <= 4; ++i)
    ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.1", "a" + std::to_string(i), i)).ok());
  ASSERT_TRUE(cat->commit_image(image(ind->id, "1.1", "1.1.2", "b", 1)).ok());
  // Make it look like a catalog written before series totals.
  for (const char* uid : {"1.1.1", "1.1.2"})
    ASSERT_TRUE(cat->update_node_attrs(**cat->find_uid(Kind::Series, uid),
                                       {{"_images", ""}, {"_bytes", ""}})
                    .ok());
  {
    auto meta = cat->table("meta");
    ASSERT_TRUE(meta.ok());
    auto txn = lmdb::Txn::begin(cat->env(), true);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(txn->put(*meta, "schema", "1").ok());
    ASSERT_TRUE(txn->commit().ok());
  }
  EXPECT_EQ(cat->check_series_totals()->size(), 2u);
  cat.reset();
  auto reopened = Catalog::open(dir.path / "catalog", false);
  ASSERT_TRUE(reopened.ok()) << reopened.error().message;
  cat = std::move(*reopened);
  EXPECT_TRUE(cat->check_series_totals()->empty());
  EXPECT_EQ(stored_totals(*cat->get(**cat->find_uid(Kind::Series, "1.1.1"))),
            (SeriesTotals{4, 400}));
  auto meta = cat->table("meta");
  auto txn = lmdb::Txn::begin(cat->env(), false);
  EXPECT_EQ(**txn->get(*meta, "schema"), "2");
}
