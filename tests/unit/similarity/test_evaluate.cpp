// mAP@k / precision@k definitions and percentiles.
#include <gtest/gtest.h>

#include "index/similarity/evaluate.h"

using namespace obia::similarity;

TEST(Evaluate, AveragePrecisionOverRetrievedRelevantItems) {
  EXPECT_DOUBLE_EQ(average_precision({true, false, true}), (1.0 + 2.0 / 3.0) / 2.0);
  EXPECT_DOUBLE_EQ(average_precision({false, false}), 0.0);
  EXPECT_DOUBLE_EQ(average_precision({true, true, true}), 1.0);
}

TEST(Evaluate, LeaveOneOutSkipsTheQueryItself) {
  // Two tight groups of codes: every neighbour of a query within k=2 is of its own label.
  std::vector<Code> codes = {{0, 0, 0, 0}, {1, 0, 0, 0}, {3, 0, 0, 0},
                             {255, 255, 255, 255}, {254, 255, 255, 255}, {252, 255, 255, 255}};
  std::vector<int> labels = {0, 0, 0, 1, 1, 1};
  auto s = evaluate_retrieval(codes, labels, codes, labels, 2, true);
  ASSERT_TRUE(s.ok()) << s.error().message;
  EXPECT_DOUBLE_EQ(s->map, 1.0);
  EXPECT_DOUBLE_EQ(s->precision, 1.0);
  EXPECT_EQ(s->queries, 6u);
  auto s3 = evaluate_retrieval(codes, labels, codes, labels, 3, true);
  ASSERT_TRUE(s3.ok());
  EXPECT_NEAR(s3->precision, 2.0 / 3.0, 1e-12);  // the third neighbour is of the other label
  EXPECT_DOUBLE_EQ(s3->map, 1.0);                // relevant items come first
}

TEST(Evaluate, Percentiles) {
  std::vector<double> v;
  for (int i = 1; i <= 100; ++i) v.push_back(i);
  auto p = percentiles(v);
  EXPECT_DOUBLE_EQ(p.p50, 50);
  EXPECT_DOUBLE_EQ(p.p99, 99);
  EXPECT_DOUBLE_EQ(p.max, 100);
}
