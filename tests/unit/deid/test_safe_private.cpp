// Retain Safe Private: only harmless numbers stay, with their creators; the rest goes.
#include <dcmtk/dcmdata/dcsequen.h>
#include <gtest/gtest.h>

#include "deid/safe_private.h"
#include "support.h"

namespace obia::deid {
namespace {

using test::put;

TEST(SafePrivate, NumericText) {
  const RemovedValues removed{"4711", "acc99887766"};
  EXPECT_TRUE(is_safe_numeric_text("1.5\\2\\-3e4\\+0.25", removed));
  EXPECT_TRUE(is_safe_numeric_text("", removed));
  EXPECT_TRUE(is_safe_numeric_text(" 12 ", removed));
  EXPECT_FALSE(is_safe_numeric_text("20210315", removed));        // a date
  EXPECT_FALSE(is_safe_numeric_text("20210315101530", removed));  // a date-time
  EXPECT_FALSE(is_safe_numeric_text("101530.5", removed));        // a time
  EXPECT_FALSE(is_safe_numeric_text("3344556", removed));         // an identifier
  EXPECT_FALSE(is_safe_numeric_text("01234", removed));           // a zero-padded identifier
  EXPECT_FALSE(is_safe_numeric_text("4711", removed));            // equal to a removed value
  EXPECT_FALSE(is_safe_numeric_text("1.5\\Smith", removed));
  EXPECT_FALSE(is_safe_numeric_text("12 mm", removed));
  EXPECT_FALSE(is_safe_numeric_text("1e", removed));
}

DcmItem make_private_item() {
  DcmItem item;
  put(item, DCM_PatientSex, "M");
  put(item, DcmTagKey(0x0019, 0x0010), "ACME 1.0");
  item.putAndInsertString(DcmTag(0x0019, 0x1001, EVR_DS), "2.5\\3");
  item.putAndInsertString(DcmTag(0x0019, 0x1002, EVR_LO), "Smithers");
  item.putAndInsertString(DcmTag(0x0019, 0x1003, EVR_DA), "20210315");
  item.putAndInsertUint16(DcmTag(0x0019, 0x1004, EVR_US), 12);
  item.putAndInsertUint32(DcmTag(0x0019, 0x1005, EVR_UL), 20210315);  // a date as a number
  put(item, DcmTagKey(0x0021, 0x0010), "OTHER");
  item.putAndInsertString(DcmTag(0x0021, 0x1001, EVR_LO), "Waylon");
  item.putAndInsertString(DcmTag(0x0023, 0x1001, EVR_DS), "1.0");  // no creator: meaningless
  return item;
}

TEST(SafePrivate, KeepsOnlySafeNumbersAndTheirCreators) {
  DcmItem item = make_private_item();
  std::vector<std::string> kept;
  filter_private(item, true, {}, TagPath{}, kept);
  EXPECT_TRUE(item.tagExists(DCM_PatientSex));
  EXPECT_TRUE(item.tagExists(DcmTagKey(0x0019, 0x0010)));
  EXPECT_TRUE(item.tagExists(DcmTagKey(0x0019, 0x1001)));
  EXPECT_FALSE(item.tagExists(DcmTagKey(0x0019, 0x1002)));
  EXPECT_FALSE(item.tagExists(DcmTagKey(0x0019, 0x1003)));
  EXPECT_TRUE(item.tagExists(DcmTagKey(0x0019, 0x1004)));
  EXPECT_FALSE(item.tagExists(DcmTagKey(0x0019, 0x1005)));
  EXPECT_FALSE(item.tagExists(DcmTagKey(0x0021, 0x0010)));  // its block kept nothing
  EXPECT_FALSE(item.tagExists(DcmTagKey(0x0021, 0x1001)));
  EXPECT_FALSE(item.tagExists(DcmTagKey(0x0023, 0x1001)));
  EXPECT_EQ(kept, (std::vector<std::string>{"retain-safe-private: kept (0019,1001)",
                                            "retain-safe-private: kept (0019,1004)"}));  // tag order
}

TEST(SafePrivate, WithoutTheOptionEverythingPrivateGoes) {
  DcmItem item = make_private_item();
  std::vector<std::string> kept;
  filter_private(item, false, {}, TagPath{}, kept);
  EXPECT_EQ(item.card(), 1u);
  EXPECT_TRUE(kept.empty());
}

TEST(SafePrivate, SequencesOnlyIfEverythingQualifies) {
  DcmItem item;
  put(item, DcmTagKey(0x0029, 0x0010), "ACME SEQ");
  DcmItem& ok = test::add_item(item, DcmTag(0x0029, 0x1001, EVR_SQ));
  ok.putAndInsertString(DcmTag(0x0029, 0x1010, EVR_DS), "1.25");
  DcmItem& bad = test::add_item(item, DcmTag(0x0029, 0x1002, EVR_SQ));
  bad.putAndInsertString(DcmTag(0x0029, 0x1010, EVR_DS), "1.25");
  put(bad, DCM_ReferencedSOPInstanceUID, "1.2.3.4.5");
  std::vector<std::string> kept;
  filter_private(item, true, {}, TagPath{}, kept);
  EXPECT_TRUE(item.tagExists(DcmTagKey(0x0029, 0x1001)));
  EXPECT_FALSE(item.tagExists(DcmTagKey(0x0029, 0x1002)));
}

}  // namespace
}  // namespace obia::deid
