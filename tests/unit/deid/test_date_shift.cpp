// Modified Dates: the per-individual offset and DA/DT shifting (multi-values, ranges,
// reduced precision, UTC offsets, malformed values).
#include <gtest/gtest.h>

#include <set>

#include "deid/date_shift.h"
#include "support.h"

namespace obia::deid {
namespace {

TEST(DateShift, OffsetIsPerIndividualAndInRange) {
  // Computed independently with python3's hmac over "date-offset\0PID-12345".
  EXPECT_EQ(date_offset_days(test::secret(1), "PID-12345"), -2348);
  std::set<int> offsets;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "patient-" + std::to_string(i);
    const int d = date_offset_days(test::secret(), id);
    EXPECT_GE(d, -kMaxDateShiftDays);
    EXPECT_LE(d, -1);
    EXPECT_EQ(d, date_offset_days(test::secret(), id));  // a later submission: same offset
    offsets.insert(d);
  }
  EXPECT_GT(offsets.size(), 45u);  // different individuals: different offsets
  EXPECT_NE(date_offset_days(test::secret(1), "PID-12345"),
            date_offset_days(test::secret(2), "PID-12345"));
}

TEST(DateShift, DateValues) {
  EXPECT_EQ(shift_date_value("20210315", -10), "20210305");
  EXPECT_EQ(shift_date_value("20200301", -1), "20200229");
  EXPECT_EQ(shift_date_value("20210101", -1), "20201231");
  EXPECT_EQ(shift_date_value("20210315 ", -1), "20210314");
  EXPECT_EQ(shift_date_value("20200101\\20200102", -1), "20191231\\20200101");
  EXPECT_EQ(shift_date_value("20200101-20200201", -1), "20191231-20200131");
  EXPECT_EQ(shift_date_value("-20200201", -1), "-20200131");
  EXPECT_EQ(shift_date_value("20200201-", -1), "20200131-");
  EXPECT_EQ(shift_date_value("2020.03.01", -1), "20200229");  // ACR-NEMA form
  EXPECT_EQ(shift_date_value("", -1), "");
  EXPECT_FALSE(shift_date_value("2021031", -1));
  EXPECT_FALSE(shift_date_value("20211301", -1));
  EXPECT_FALSE(shift_date_value("20210230", -1));
  EXPECT_FALSE(shift_date_value("unknown", -1));
  EXPECT_FALSE(shift_date_value("20200101\\garbage", -1));
}

TEST(DateShift, DateTimeValues) {
  EXPECT_EQ(shift_datetime_value("20210315101530.123456+0100", -1), "20210314101530.123456+0100");
  EXPECT_EQ(shift_datetime_value("20210315101530-0500", -1), "20210314101530-0500");
  EXPECT_EQ(shift_datetime_value("202103151015", -15), "202102281015");
  EXPECT_EQ(shift_datetime_value("202103", -31), "202101");  // as 2021-03-01
  EXPECT_EQ(shift_datetime_value("2021", -400), "2019");
  EXPECT_EQ(shift_datetime_value("20210315-20210316", -1), "20210314-20210315");
  EXPECT_EQ(shift_datetime_value("20210315101530\\20210316", -1), "20210314101530\\20210315");
  EXPECT_FALSE(shift_datetime_value("2021031510153", -1));  // odd precision
  EXPECT_FALSE(shift_datetime_value("20210315.5", -1));     // fraction without seconds
  EXPECT_FALSE(shift_datetime_value("20210315101530+01", -1));
}

}  // namespace
}  // namespace obia::deid
