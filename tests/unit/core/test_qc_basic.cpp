// Basic QC: identity requirements and truncated pixel data.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include "ingest/qc_basic.h"

using namespace obia::ingest;

namespace {

DcmFileFormat valid_file() {
  DcmFileFormat f;
  DcmDataset* ds = f.getDataset();
  ds->putAndInsertString(DCM_PatientID, "MRN-1");
  ds->putAndInsertString(DCM_StudyInstanceUID, "1.2.3");
  ds->putAndInsertString(DCM_SeriesInstanceUID, "1.2.3.4");
  ds->putAndInsertString(DCM_SOPInstanceUID, "1.2.3.4.5");
  ds->putAndInsertUint16(DCM_Rows, 4);
  ds->putAndInsertUint16(DCM_Columns, 4);
  ds->putAndInsertUint16(DCM_BitsAllocated, 16);
  ds->putAndInsertUint16(DCM_SamplesPerPixel, 1);
  Uint16 pixels[16] = {};
  ds->putAndInsertUint16Array(DCM_PixelData, pixels, 16);
  return f;
}

}  // namespace

TEST(QcBasic, ValidFilePassesAndReportsIdentity) {
  auto f = valid_file();
  auto r = check_basic(f);
  EXPECT_EQ(r.reason, Reason::None) << r.detail;
  EXPECT_EQ(r.identity.patient_id, "MRN-1");
  EXPECT_EQ(r.identity.sop_uid, "1.2.3.4.5");
}

TEST(QcBasic, MissingOrBlankPatientId) {
  auto f = valid_file();
  f.getDataset()->putAndInsertString(DCM_PatientID, "   ");
  EXPECT_EQ(check_basic(f).reason, Reason::NoPatientId);
  f.getDataset()->findAndDeleteElement(DCM_PatientID);
  auto r = check_basic(f);
  EXPECT_EQ(r.reason, Reason::NoPatientId);
  EXPECT_NE(r.detail.find("missing"), std::string::npos);
}

TEST(QcBasic, MissingOrMalformedUids) {
  auto f = valid_file();
  f.getDataset()->findAndDeleteElement(DCM_SOPInstanceUID);
  EXPECT_EQ(check_basic(f).reason, Reason::BadUid);
  auto g = valid_file();
  g.getDataset()->putAndInsertString(DCM_StudyInstanceUID, "1.2.abc");
  auto r = check_basic(g);
  EXPECT_EQ(r.reason, Reason::BadUid);
  EXPECT_NE(r.detail.find("StudyInstanceUID"), std::string::npos);
}

TEST(QcBasic, TruncatedPixelDataIsCorrupt) {
  auto f = valid_file();
  Uint16 short_pixels[10] = {};
  f.getDataset()->putAndInsertUint16Array(DCM_PixelData, short_pixels, 10);
  EXPECT_EQ(check_basic(f).reason, Reason::Corrupt);
}

TEST(QcBasic, UidSyntax) {
  EXPECT_TRUE(valid_uid("1.2.840.10008.1.2"));
  EXPECT_TRUE(valid_uid("2.25.123"));
  EXPECT_FALSE(valid_uid(""));
  EXPECT_FALSE(valid_uid("1..2"));
  EXPECT_FALSE(valid_uid(".1.2"));
  EXPECT_FALSE(valid_uid("1.2."));
  EXPECT_FALSE(valid_uid("1.2.a"));
  EXPECT_FALSE(valid_uid(std::string(65, '1')));
}
