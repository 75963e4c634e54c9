// compute_stats(): exact counts on a hand-made catalog, agreement with a brute-force walk of
// the tree on random catalogs, the fast node-head reader, and age bands.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "index/facets.h"
#include "index/statistics.h"
#include "support.h"

using namespace obia;
using namespace obia::index;
using obia::testing::CatalogBuilder;
using obia::testing::StudyFacts;
using Json = nlohmann::json;

namespace {

Json tally(uint64_t individuals, uint64_t studies, uint64_t series, uint64_t images) {
  return {
      {"individuals", individuals}, {"studies", studies}, {"series", series}, {"images", images}};
}

}  // namespace

TEST(Stats, CountsEveryLevelAndFacet) {
  CatalogBuilder b;
  NodeId a = b.collection("Lung CT", {{"disease", "lung cancer"}, {"access", "open"}});
  NodeId br = b.collection("Brain", {{"access", "controlled"}});
  b.collection("Empty");
  NodeId i1 = b.individual(a, 1), i2 = b.individual(a, 2);
  b.individual(a, 3);  // reserved only: its file was rejected, so it is not in the tree
  NodeId i4 = b.individual(br, 4), i5 = b.individual(br, 5);
  StudyFacts s1{"F", "055Y", "20200101"}, s2{"F", "056Y", "20210101"}, s3{"M", "042Y", ""},
      s4{"", "", ""}, s5{"f", "006M", ""};
  for (int k = 0; k < 3; ++k) b.image(a, i1, "s1", "ct", "CT", "CHEST", s1);
  for (int k = 0; k < 2; ++k) b.image(a, i1, "s1", "mr", "MR", "HEAD", s1);
  b.image(a, i1, "s2", "ct", "CT", "CHEST", s2);
  for (int k = 0; k < 2; ++k) b.image(a, i2, "s3", "ct", "CT", "ABDOMEN", s3);
  for (int k = 0; k < 4; ++k) b.image(br, i4, "s4", "mr", "MR", "", s4);
  b.image(br, i5, "s5", "ct", "ct", "", s5);

  auto r = compute_stats(b.catalog());
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Json& s = *r;
  EXPECT_EQ(s["schema"], "obia-stats/1");
  EXPECT_EQ(s["totals"], (Json{{"collections", 3},
                               {"individuals", 4},
                               {"studies", 5},
                               {"series", 6},
                               {"images", 13},
                               {"bytes", 13000}}));
  ASSERT_EQ(s["collections"].size(), 3u);
  const Json& ca = s["collections"][0];
  EXPECT_EQ(ca["accession"], "OBIA0001");
  EXPECT_EQ(ca["title"], "Lung CT");
  EXPECT_EQ(ca["disease"], "lung cancer");
  EXPECT_EQ(ca["access"], "open");
  EXPECT_EQ(ca["individuals"], 2);
  EXPECT_EQ(ca["studies"], 3);
  EXPECT_EQ(ca["series"], 4);
  EXPECT_EQ(ca["images"], 8);
  EXPECT_EQ(ca["bytes"], 8000);
  EXPECT_EQ(ca["modalities"], (Json{"CT", "MR"}));
  EXPECT_EQ(ca["archived"], 8);
  EXPECT_EQ(ca["submitted"], 8);
  EXPECT_EQ(s["collections"][1]["access"], "controlled");
  EXPECT_EQ(s["collections"][1]["images"], 5);
  EXPECT_EQ(s["collections"][2]["images"], 0);
  EXPECT_EQ(s["collections"][2]["modalities"], Json::array());

  EXPECT_EQ(s["modality"]["CT"], tally(3, 4, 4, 7));
  EXPECT_EQ(s["modality"]["MR"], tally(2, 2, 2, 6));
  EXPECT_EQ(s["modality"].size(), 2u);
  EXPECT_EQ(s["bodypart"]["CHEST"], tally(1, 2, 2, 4));
  EXPECT_EQ(s["bodypart"]["HEAD"], tally(1, 1, 1, 2));
  EXPECT_EQ(s["bodypart"]["ABDOMEN"], tally(1, 1, 1, 2));
  EXPECT_EQ(s["bodypart"]["unknown"], tally(2, 2, 2, 5));
  EXPECT_EQ(s["sex"]["F"], tally(2, 3, 4, 7));
  EXPECT_EQ(s["sex"]["M"], tally(1, 1, 1, 2));
  EXPECT_EQ(s["sex"]["unknown"], tally(1, 1, 1, 4));
  EXPECT_EQ(s["sex"].size(), 3u);
  EXPECT_EQ(s["age_band"]["50-59"], tally(1, 2, 3, 6));
  EXPECT_EQ(s["age_band"]["40-49"], tally(1, 1, 1, 2));
  EXPECT_EQ(s["age_band"]["0-9"], tally(1, 1, 1, 1));
  EXPECT_EQ(s["age_band"]["unknown"], tally(1, 1, 1, 4));
}

TEST(Stats, EmptyCatalog) {
  CatalogBuilder b;
  auto r = compute_stats(b.catalog());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["totals"]["images"], 0);
  EXPECT_EQ((*r)["collections"], Json::array());
  EXPECT_EQ((*r)["modality"], Json::object());
}

// Brute force: walk the tree through the catalog's public listing calls, as `ls -R` would.
Json walk(Catalog& cat) {
  Json totals = {
      {"collections", 0}, {"individuals", 0}, {"studies", 0}, {"series", 0}, {"images", 0}};
  std::map<std::string, std::set<NodeId>> mod_inds;
  std::map<std::string, uint64_t> mod_images, sex_inds, band_studies;
  auto colls = cat.collections();
  for (auto& c : *colls) {
    totals["collections"] = totals["collections"].get<int>() + 1;
    // Results are kept in locals: a range-for over *temporary would dangle.
    auto individuals = *cat.children(c.id);
    for (auto& i : individuals) {
      totals["individuals"] = totals["individuals"].get<int>() + 1;
      auto studies = *cat.children(i.id);
      std::string sex = i.attr("sex").empty() ? studies.front().attr("sex") : i.attr("sex");
      for (auto& ch : sex) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      ++sex_inds[sex.empty() ? "unknown" : sex];
      for (auto& s : studies) {
        totals["studies"] = totals["studies"].get<int>() + 1;
        ++band_studies[age_band(age_years(s.attr("age")))];
        auto series = *cat.children(s.id);
        for (auto& r : series) {
          totals["series"] = totals["series"].get<int>() + 1;
          size_t n = cat.children(r.id)->size();
          totals["images"] = totals["images"].get<int>() + static_cast<int>(n);
          mod_images[r.attr("modality")] += n;
          mod_inds[r.attr("modality")].insert(i.id);
        }
      }
    }
  }
  Json out = {{"totals", totals}};
  for (auto& [m, n] : mod_images) out["modality"][m] = {n, mod_inds[m].size()};
  for (auto& [k, n] : sex_inds) out["sex"][k] = n;
  for (auto& [k, n] : band_studies) out["age_band"][k] = n;
  return out;
}

TEST(Stats, AgreesWithAWalkOfTheTree) {
  for (unsigned seed = 1; seed <= 3; ++seed) {
    std::mt19937 rng(seed);
    CatalogBuilder b;
    std::vector<NodeId> colls;
    for (int c = 0; c < 3; ++c) colls.push_back(b.collection("C" + std::to_string(c)));
    const char* mods[] = {"CT", "MR", "PT", "CR"};
    const char* parts[] = {"CHEST", "HEAD", "", "ABDOMEN"};
    const char* sexes[] = {"F", "M", "O", ""};
    for (int i = 0; i < 20; ++i) {
      NodeId coll = colls[rng() % colls.size()];
      NodeId ind = b.individual(coll, static_cast<uint8_t>(i + 1));
      if (rng() % 6 == 0) continue;  // reserved, never archived
      int studies = 1 + static_cast<int>(rng() % 3);
      for (int s = 0; s < studies; ++s) {
        StudyFacts f{sexes[rng() % 4],
                     rng() % 5 ? std::to_string(100 + rng() % 95).substr(1) + "Y" : "",
                     "2019010" + std::to_string(1 + s)};
        std::string study = std::to_string(i) + "-" + std::to_string(s);
        int series = 1 + static_cast<int>(rng() % 3);
        for (int r = 0; r < series; ++r) {
          int images = 1 + static_cast<int>(rng() % 5);
          const char* mod = mods[rng() % 4];
          const char* part = parts[rng() % 4];
          for (int k = 0; k < images; ++k)
            b.image(coll, ind, study, std::to_string(r), mod, part, f);
        }
      }
    }
    auto r = compute_stats(b.catalog());
    ASSERT_TRUE(r.ok());
    Json expect = walk(b.catalog());
    Json totals = (*r)["totals"];
    totals.erase("bytes");
    EXPECT_EQ(totals, expect["totals"]) << "seed " << seed;
    for (auto& [m, v] : expect["modality"].items()) {
      EXPECT_EQ((*r)["modality"][m]["images"], v[0]) << m;
      EXPECT_EQ((*r)["modality"][m]["individuals"], v[1]) << m;
    }
    for (auto& [k, v] : expect["sex"].items()) EXPECT_EQ((*r)["sex"][k]["individuals"], v) << k;
    for (auto& [k, v] : expect["age_band"].items())
      EXPECT_EQ((*r)["age_band"][k]["studies"], v) << k;
    // The same catalog gives the same bytes (stats.json is stable between reads).
    EXPECT_EQ(r->dump(), compute_stats(b.catalog())->dump());
  }
}

TEST(Stats, NodeHeadReadsParentAndSizeLikeDecode) {
  Node n;
  n.id = make_id(Kind::Image, 7);
  n.parent = make_id(Kind::Series, 123456);
  n.name = "000001.dcm";
  n.uid = "2.25.123456789";
  n.created = 1700000000;
  n.object.hash.fill(0xAB);
  n.object.variant = 2;
  n.size = 987654321;
  n.attrs = {{"sopclass", "1.2.840.10008.5.1.4.1.1.2"}, {"x", std::string(300, 'y')}};
  std::string bytes = encode(n);
  auto h = read_node_head(bytes);
  ASSERT_TRUE(h);
  EXPECT_EQ(h->parent, n.parent);
  EXPECT_EQ(h->size, n.size);
  EXPECT_EQ(decode(n.id, bytes)->size, h->size);
  EXPECT_FALSE(read_node_head(bytes.substr(0, 20)));
  EXPECT_FALSE(read_node_head(""));
}

TEST(Stats, AgeBands) {
  EXPECT_EQ(age_band(-1), "unknown");
  EXPECT_EQ(age_band(0), "0-9");
  EXPECT_EQ(age_band(9), "0-9");
  EXPECT_EQ(age_band(10), "10-19");
  EXPECT_EQ(age_band(55), "50-59");
  EXPECT_EQ(age_band(89), "80-89");
  EXPECT_EQ(age_band(90), "90+");
  EXPECT_EQ(age_band(120), "90+");
}

// Statistics come from counters kept by the commit (aggregates.h). A full count of the nodes
// (verify, and catalogs from before the counters) uses the per-series totals ("_images",
// "_bytes") and reads the image nodes only when a series lacks them; both counts must agree
// with the kept counters.
TEST(Stats, KeptCountersAgreeWithTheSeriesTotalsAndTheImageScan) {
  CatalogBuilder b;
  NodeId c = b.collection("C");
  NodeId i = b.individual(c, 1);
  for (int k = 0; k < 3; ++k) b.image(c, i, "s", "a", "CT", "CHEST", {"F", "040Y", ""}, 100);
  for (int k = 0; k < 2; ++k) b.image(c, i, "s", "b", "MR", "HEAD", {"F", "040Y", ""}, 10);
  auto study = b.catalog().children(i)->front();
  auto series = *b.catalog().children(study.id);
  ASSERT_EQ(series.size(), 2u);
  ASSERT_TRUE(stored_totals(series[0]) && stored_totals(series[1]));  // kept by commit_image
  auto counted = compute_stats(b.catalog());
  ASSERT_TRUE(counted.ok());
  EXPECT_EQ((*counted)["totals"]["images"], 5);
  EXPECT_EQ((*counted)["totals"]["bytes"], 320);
  EXPECT_TRUE(b.catalog().check_aggregates()->empty());
  // One series without totals: the full count reads every image node and still agrees.
  ASSERT_TRUE(b.catalog().update_node_attrs(series[1].id, {{"_images", ""}, {"_bytes", ""}}).ok());
  EXPECT_TRUE(b.catalog().check_aggregates()->empty());
  EXPECT_EQ(counted->dump(), compute_stats(b.catalog())->dump());
  // Wrong totals on every series: the kept counters do not move, the full count follows the
  // totals, so verify sees the difference; the repair recounts.
  ASSERT_TRUE(b.catalog().update_node_attrs(series[0].id, {{"_images", "1000"}}).ok());
  ASSERT_TRUE(
      b.catalog().update_node_attrs(series[1].id, {{"_images", "2"}, {"_bytes", "20"}}).ok());
  EXPECT_EQ((*compute_stats(b.catalog()))["totals"]["images"], 5);
  auto differ = b.catalog().check_aggregates();
  ASSERT_TRUE(differ.ok());
  EXPECT_FALSE(differ->empty());
  ASSERT_TRUE(b.catalog().repair_aggregates().ok());
  EXPECT_TRUE(b.catalog().check_aggregates()->empty());
  EXPECT_EQ((*compute_stats(b.catalog()))["totals"]["images"], 1000 + 2);
}

// The counters kept by every commit and by attribute changes of individuals (clinical import;
// a later study giving an individual its first sex) equal a full count of the nodes at every
// step, on random catalogs; a reopened catalog keeps them.
TEST(Stats, KeptCountersFollowCommitsAndIndividualChanges) {
  for (unsigned seed = 11; seed <= 14; ++seed) {
    std::mt19937 rng(seed);
    CatalogBuilder b;
    std::vector<NodeId> colls, individuals;
    for (int c = 0; c < 2; ++c) colls.push_back(b.collection("C" + std::to_string(c)));
    const char* mods[] = {"CT", "MR", "ct ", ""};
    const char* sexes[] = {"F", "M", "", "", "f"};
    const char* ages[] = {"", "45", "070Y", "006M", "x"};
    for (int step = 0; step < 120; ++step) {
      if (individuals.empty() || rng() % 4 == 0) {
        NodeId coll = colls[rng() % colls.size()];
        individuals.push_back(b.individual(coll, static_cast<uint8_t>(individuals.size() + 1)));
      }
      NodeId ind = individuals[rng() % individuals.size()];
      if (rng() % 5 == 0) {  // a clinical import changes (or clears) sex and age
        ASSERT_TRUE(
            b.catalog()
                .update_node_attrs(ind, {{"sex", sexes[rng() % 5]}, {"age", ages[rng() % 5]}})
                .ok());
      } else {
        auto node = b.catalog().get(ind);
        StudyFacts f{sexes[rng() % 5], rng() % 3 ? std::to_string(20 + rng() % 70) + "Y" : "", ""};
        std::string study = std::to_string(ind) + "-" + std::to_string(rng() % 3);
        b.image(node->parent, ind, study, std::to_string(rng() % 3), mods[rng() % 4],
                rng() % 2 ? "CHEST" : "", f);
      }
      if (step % 10 == 9) {
        auto differ = b.catalog().check_aggregates();
        ASSERT_TRUE(differ.ok());
        ASSERT_TRUE(differ->empty())
            << "seed " << seed << " step " << step << ": " << differ->front();
      }
    }
    auto before = compute_stats(b.catalog());
    ASSERT_TRUE(before.ok());
    b.reopen();
    EXPECT_EQ(before->dump(), compute_stats(b.catalog())->dump()) << "seed " << seed;
    // Counters marked stale (as on a catalog from before them): statistics count the nodes
    // instead, verify says so, and the next open rebuilds them.
    {
      auto txn = lmdb::Txn::begin(b.catalog().env(), true);
      ASSERT_TRUE(txn.ok());
      ASSERT_TRUE(aggregates::mark_stale(*txn, b.catalog().aggregate_tables()).ok());
      ASSERT_TRUE(txn->commit().ok());
    }
    EXPECT_FALSE(b.catalog().check_aggregates()->empty());
    EXPECT_EQ(before->dump(), compute_stats(b.catalog())->dump());
    b.reopen();
    EXPECT_TRUE(b.catalog().check_aggregates()->empty());
    EXPECT_EQ(before->dump(), compute_stats(b.catalog())->dump());
  }
}

// A hostile file's oversized Modality or BodyPartExamined (no VR limit enforced on input) must
// not fail the commit on LMDB's key size: facet and statistics keys cap the value.
TEST(Stats, OversizedValuesDoNotFailTheCommit) {
  CatalogBuilder b;
  NodeId c = b.collection("C");
  NodeId i = b.individual(c, 1);
  std::string huge(2000, 'X');
  EXPECT_NO_THROW(b.image(c, i, "s", "a", huge, huge, {huge, "040Y", ""}));
  EXPECT_TRUE(b.catalog().check_aggregates()->empty());
  auto study = b.catalog().children(i)->front();
  EXPECT_EQ(b.catalog().children(study.id)->front().name, "001_" + std::string(16, 'X'));
  auto modality = b.catalog().facet_values("modality");
  ASSERT_TRUE(modality.ok());
  ASSERT_EQ(modality->size(), 1u);
  EXPECT_EQ(modality->begin()->first, std::string(kMaxKeyValue, 'X'));
  auto r = compute_stats(b.catalog());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ((*r)["totals"]["images"], 1);
}
