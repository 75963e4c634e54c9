// One test per action code of Table E.1-1a (D, Z, X, K, C, U, Z/D, X/Z, X/D, X/Z/D, X/Z/U*), the
// subject rule, the file meta header, repeating groups and the marks.
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include "deid/actions.h"
#include "deid/date_shift.h"
#include "deid/deidentifier.h"
#include "deid/uid_remap.h"
#include "support.h"

namespace obia::deid {
namespace {

using test::get;
using test::has;
using test::put;

constexpr const char* kAbsent = "<absent>";

Outcome run(DcmFileFormat& file, const Profile& profile = Profile{}) {
  return deidentify(file, profile, test::secret(), test::subject());
}

TEST(Actions, X_RemovesTheAttribute) {
  auto file = test::make_ct();
  ASSERT_TRUE(run(*file).ok);
  DcmDataset& ds = *file->getDataset();
  EXPECT_EQ(get(ds, DCM_PatientAddress), kAbsent);
  EXPECT_EQ(get(ds, DCM_RETIRED_OtherPatientIDs), kAbsent);
  EXPECT_EQ(get(ds, DCM_PerformingPhysicianName), kAbsent);
  EXPECT_EQ(get(ds, DCM_InstitutionAddress), kAbsent);
  EXPECT_EQ(get(ds, DCM_StudyDescription), kAbsent);  // Basic: descriptors go
  EXPECT_EQ(get(ds, DCM_PatientAge), kAbsent);
}

TEST(Actions, Z_EmptiesTheAttribute) {
  auto file = test::make_ct();
  ASSERT_TRUE(run(*file).ok);
  DcmDataset& ds = *file->getDataset();
  for (const DcmTagKey& t : {DCM_AccessionNumber, DCM_StudyID, DCM_ReferringPhysicianName,
                             DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate, DCM_StudyTime}) {
    EXPECT_TRUE(has(ds, t)) << test::get(ds, t);
    EXPECT_EQ(get(ds, t), "");
  }
}

TEST(Actions, D_WritesAVrValidDummy) {
  DcmFileFormat file;
  DcmDataset& ds = *file.getDataset();
  put(ds, DCM_SOPClassUID, UID_CTImageStorage);
  put(ds, DcmTagKey(0x0018, 0x9367), "TUBE-ABC-77");                 // XRaySourceID, UC: D
  put(ds, DcmTagKey(0x0040, 0xA121), "20200101");                    // Date, DA: D
  put(ds, DcmTagKey(0x0040, 0xA120), "20200101101010");              // DateTime, DT: D
  put(ds, DcmTagKey(0x0040, 0xA122), "101010");                      // Time, TM: D
  put(ds, DcmTagKey(0x006A, 0x0003), "1.2.3.4.5.6");                 // AnnotationGroupUID, UI: D
  DcmItem& obs = test::add_item(ds, DCM_VerifyingObserverSequence);  // SQ: D
  put(obs, DCM_VerifyingObserverName, "Hibbert^Julius");
  put(obs, DCM_VerifyingOrganization, "Springfield General");
  put(obs, DCM_VerificationDateTime, "20200101101010");
  ASSERT_TRUE(run(file).ok);
  EXPECT_EQ(get(ds, DcmTagKey(0x0018, 0x9367)), "ANONYMOUS");
  EXPECT_EQ(get(ds, DcmTagKey(0x0040, 0xA121)), "19000101");
  EXPECT_EQ(get(ds, DcmTagKey(0x0040, 0xA120)), "19000101000000");
  EXPECT_EQ(get(ds, DcmTagKey(0x0040, 0xA122)), "000000");
  EXPECT_EQ(get(ds, DcmTagKey(0x006A, 0x0003)), remap_uid(test::secret(), "1.2.3.4.5.6"));
  DcmItem* item = nullptr;
  ASSERT_TRUE(ds.findAndGetSequenceItem(DCM_VerifyingObserverSequence, item, 0).good());
  EXPECT_EQ(get(*item, DCM_VerifyingObserverName), "ANONYMOUS");
  EXPECT_EQ(get(*item, DCM_VerifyingOrganization), "ANONYMOUS");
  EXPECT_EQ(get(*item, DCM_VerificationDateTime), "19000101000000");
}

TEST(Actions, K_UnderAnOptionKeepsTheValue) {
  auto file = test::make_ct();
  ASSERT_TRUE(run(*file, Profile{{Option::RetainDeviceIdentity}}).ok);
  DcmDataset& ds = *file->getDataset();
  EXPECT_EQ(get(ds, DCM_DeviceSerialNumber), "SN-778899");
  EXPECT_EQ(get(ds, DCM_StationName), "CTSTATION07");
  EXPECT_EQ(get(ds, DCM_Manufacturer), "ACME Imaging");  // not in the table: always kept
}

TEST(Actions, C_CleansPerVr) {
  auto file = test::make_ct();
  DcmDataset& ds = *file->getDataset();
  put(ds, DCM_StationAETitle, "CT_ROOM_7");
  put(ds, DCM_ProtocolName, "Seen 2021-03-15 in clinic");
  const Profile p{
      {Option::RetainDeviceIdentity, Option::RetainLongModifiedDates, Option::CleanDescriptors}};
  ASSERT_TRUE(run(*file, p).ok);
  EXPECT_EQ(get(ds, DCM_StationAETitle), pseudonym_ae(test::secret(), "CT_ROOM_7"));  // AE
  const int off = date_offset_days(test::secret(), "PID-12345");
  EXPECT_EQ(get(ds, DCM_StudyDate), *shift_date_value("20210315", off));  // DA
  EXPECT_EQ(get(ds, DCM_StudyTime), "101530");                            // TM: unchanged
  EXPECT_EQ(get(ds, DCM_StudyDescription), "CT CHEST W CONTRAST");        // clean text: kept
  EXPECT_EQ(get(ds, DCM_SeriesDescription), "AXIAL 5MM");
  EXPECT_EQ(get(ds, DCM_ImageComments), kAbsent);  // names the patient: X per its row
  EXPECT_EQ(get(ds, DCM_ProtocolName), kAbsent);   // a date: X/D resolves to X
}

TEST(Actions, U_RemapsEveryInstanceUidAtEveryDepth) {
  auto file = test::make_ct();
  ASSERT_TRUE(run(*file).ok);
  DcmDataset& ds = *file->getDataset();
  const Secret s = test::secret();
  EXPECT_EQ(get(ds, DCM_SOPInstanceUID), remap_uid(s, "1.2.826.0.1.3680043.2.1125.1.1001"));
  EXPECT_EQ(get(ds, DCM_StudyInstanceUID), remap_uid(s, "1.2.826.0.1.3680043.2.1125.1.2001"));
  EXPECT_EQ(get(ds, DCM_FrameOfReferenceUID), remap_uid(s, "1.2.826.0.1.3680043.2.1125.1.4001"));
  EXPECT_EQ(get(ds, DCM_SOPClassUID), UID_CTImageStorage);  // registry: kept
  DcmItem* series = nullptr;
  ASSERT_TRUE(ds.findAndGetSequenceItem(DCM_ReferencedSeriesSequence, series, 0).good());
  EXPECT_EQ(get(*series, DCM_SeriesInstanceUID), remap_uid(s, "1.2.826.0.1.3680043.2.1125.1.3000"));
  DcmItem* inst = nullptr;
  ASSERT_TRUE(series->findAndGetSequenceItem(DCM_ReferencedInstanceSequence, inst, 0).good());
  EXPECT_EQ(get(*inst, DCM_ReferencedSOPInstanceUID),
            remap_uid(s, "1.2.826.0.1.3680043.2.1125.1.1000"));
  EXPECT_EQ(get(*inst, DCM_ReferencedSOPClassUID), UID_CTImageStorage);
}

TEST(Actions, Z_D_IsZeroLengthUnlessType1) {
  auto ct = test::make_ct();  // ContentDate: Type 2C in General Image
  ASSERT_TRUE(run(*ct).ok);
  EXPECT_EQ(get(*ct->getDataset(), DCM_ContentDate), "");
  DcmFileFormat sr;  // SR Document General: ContentDate Type 1
  put(*sr.getDataset(), DCM_SOPClassUID, UID_BasicTextSRStorage);
  put(*sr.getDataset(), DCM_ContentDate, "20210315");
  put(*sr.getDataset(), DCM_ContentTime, "101530");
  ASSERT_TRUE(run(sr).ok);
  EXPECT_EQ(get(*sr.getDataset(), DCM_ContentDate), "19000101");
  EXPECT_EQ(get(*sr.getDataset(), DCM_ContentTime), "000000");
}

TEST(Actions, X_Z_RemovesUnlessType2) {
  auto file = test::make_ct();
  DcmDataset& ds = *file->getDataset();
  test::add_item(ds, DCM_AcquisitionContextSequence);
  put(ds, DCM_PatientSexNeutered, "ALTERED");
  ASSERT_TRUE(run(*file).ok);
  EXPECT_EQ(get(ds, DCM_AcquisitionDate), kAbsent);  // Type 3: X
  DcmSequenceOfItems* acq = nullptr;
  ASSERT_TRUE(ds.findAndGetSequence(DCM_AcquisitionContextSequence, acq).good());
  EXPECT_EQ(acq->card(), 0u);                      // Type 2: Z
  EXPECT_EQ(get(ds, DCM_PatientSexNeutered), "");  // Type 2C: Z
}

TEST(Actions, X_D_RemovesUnlessType1) {
  auto file = test::make_ct();
  put(*file->getDataset(), DCM_ProtocolName, "ROUTINE CHEST");
  ASSERT_TRUE(run(*file).ok);
  EXPECT_EQ(get(*file->getDataset(), DCM_SeriesDate), kAbsent);
  EXPECT_EQ(get(*file->getDataset(), DCM_ProtocolName), kAbsent);
}

TEST(Actions, X_Z_D_DependsOnTheIod) {
  auto ct = test::make_ct();
  ASSERT_TRUE(run(*ct).ok);
  EXPECT_EQ(get(*ct->getDataset(), DCM_DeviceSerialNumber), kAbsent);  // General Equipment: 3
  EXPECT_EQ(get(*ct->getDataset(), DCM_InstitutionName), kAbsent);
  auto enhanced = test::make_ct();
  put(*enhanced->getDataset(), DCM_SOPClassUID, UID_EnhancedCTImageStorage);
  test::add_item(*enhanced->getDataset(), DCM_SharedFunctionalGroupsSequence);
  ASSERT_TRUE(run(*enhanced).ok);  // Enhanced General Equipment: Type 1
  EXPECT_EQ(get(*enhanced->getDataset(), DCM_DeviceSerialNumber), "ANONYMOUS");
}

TEST(Actions, CombinedCodesFollowTheSopClass) {
  DcmFileFormat rt;  // RT Plan: RT General Plan date/time Type 2, RT Series operators Type 2
  put(*rt.getDataset(), DCM_SOPClassUID, UID_RTPlanStorage);
  put(*rt.getDataset(), DCM_RTPlanDate, "20210315");
  put(*rt.getDataset(), DCM_RTPlanTime, "101530");
  put(*rt.getDataset(), DCM_OperatorsName, "Flanders^Ned");
  ASSERT_TRUE(run(rt).ok);
  EXPECT_EQ(get(*rt.getDataset(), DCM_RTPlanDate), "19000101");  // X/D: D
  EXPECT_EQ(get(*rt.getDataset(), DCM_RTPlanTime), "000000");
  EXPECT_EQ(get(*rt.getDataset(), DCM_OperatorsName), "");  // X/Z/D: Z
  DcmFileFormat ecg;  // Waveform Identification: content and acquisition times Type 1
  put(*ecg.getDataset(), DCM_SOPClassUID, UID_TwelveLeadECGWaveformStorage);
  put(*ecg.getDataset(), DCM_ContentDate, "20210315");
  put(*ecg.getDataset(), DCM_AcquisitionDateTime, "20210315101530");
  ASSERT_TRUE(run(ecg).ok);
  EXPECT_EQ(get(*ecg.getDataset(), DCM_ContentDate), "19000101");                // Z/D: D
  EXPECT_EQ(get(*ecg.getDataset(), DCM_AcquisitionDateTime), "19000101000000");  // X/Z/D: D
}

TEST(Actions, X_Z_Ustar_KeepsNestedReferencesWithRemappedUids) {
  auto file = test::make_ct();
  DcmDataset& ds = *file->getDataset();
  ds.findAndDeleteElement(DCM_ReferencedSeriesSequence);  // no Common Instance Reference
  DcmItem& derivation = test::add_item(ds, DCM_DerivationImageSequence);
  DcmItem& source = test::add_item(derivation, DCM_SourceImageSequence);
  put(source, DCM_ReferencedSOPClassUID, UID_CTImageStorage);
  put(source, DCM_ReferencedSOPInstanceUID, "1.2.826.0.1.3680043.2.1125.1.999");
  ASSERT_TRUE(run(*file).ok);
  EXPECT_EQ(get(ds, DCM_ReferencedImageSequence), kAbsent);  // top level: Type 3, X
  DcmItem* d = nullptr;
  DcmItem* src = nullptr;
  ASSERT_TRUE(ds.findAndGetSequenceItem(DCM_DerivationImageSequence, d, 0).good());
  ASSERT_TRUE(d->findAndGetSequenceItem(DCM_SourceImageSequence, src, 0).good());  // Type 1: U*
  EXPECT_EQ(get(*src, DCM_ReferencedSOPInstanceUID),
            remap_uid(test::secret(), "1.2.826.0.1.3680043.2.1125.1.999"));
}

TEST(Actions, X_Z_Ustar_KeepsTopLevelReferencesWhenTheInstanceMustResolveThem) {
  auto file = test::make_ct();  // has a ReferencedSeriesSequence (Common Instance Reference)
  ASSERT_TRUE(run(*file).ok);
  DcmItem* ref = nullptr;
  ASSERT_TRUE(
      file->getDataset()->findAndGetSequenceItem(DCM_ReferencedImageSequence, ref, 0).good());
  EXPECT_EQ(get(*ref, DCM_ReferencedSOPInstanceUID),
            remap_uid(test::secret(), "1.2.826.0.1.3680043.2.1125.1.1000"));
}

TEST(Actions, SubjectRuleAndFileMeta) {
  auto file = test::make_ct();
  ASSERT_TRUE(run(*file).ok);
  DcmDataset& ds = *file->getDataset();
  EXPECT_EQ(get(ds, DCM_PatientName), "I000001");
  EXPECT_EQ(get(ds, DCM_PatientID), "I000001");
  EXPECT_EQ(get(ds, DCM_IssuerOfPatientID), kAbsent);
  DcmMetaInfo& meta = *file->getMetaInfo();
  EXPECT_EQ(get(meta, DCM_MediaStorageSOPInstanceUID), get(ds, DCM_SOPInstanceUID));
  EXPECT_EQ(get(meta, DCM_MediaStorageSOPClassUID), UID_CTImageStorage);
  EXPECT_EQ(get(meta, DCM_SourceApplicationEntityTitle), kAbsent);
  // Absent in the original: still set, PatientName and PatientID are the archive's keys.
  DcmFileFormat bare;
  put(*bare.getDataset(), DCM_SOPClassUID, UID_CTImageStorage);
  ASSERT_TRUE(run(bare).ok);
  EXPECT_EQ(get(*bare.getDataset(), DCM_PatientID), "I000001");
  // No accession, no de-identification.
  auto again = test::make_ct();
  const Outcome o = deidentify(*again, Profile{}, test::secret(), Subject{"", "x"});
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.reason, "deid-failed");
}

TEST(Actions, RepeatingGroupsAndGroupLengths) {
  auto file = test::make_ct();
  DcmDataset& ds = *file->getDataset();
  ds.putAndInsertUint16(DcmTagKey(0x6000, 0x0010), 2);     // Overlay Rows
  put(ds, DcmTagKey(0x6000, 0x0022), "Smithers overlay");  // Overlay Description
  const Uint16 bits[2] = {0xFFFF, 0};
  ds.putAndInsertUint16Array(DcmTagKey(0x6000, 0x3000), bits, 2);
  put(ds, DcmTagKey(0x6002, 0x4000), "comment");          // Overlay Comments
  ds.putAndInsertUint16(DcmTagKey(0x5000, 0x0005), 1);    // Curve Dimensions
  ds.putAndInsertUint32(DcmTagKey(0x0008, 0x0000), 100);  // a group length
  for (const Profile& p : {Profile{}, Profile{{Option::CleanGraphics}}}) {
    auto copy = std::make_unique<DcmFileFormat>(*file);
    ASSERT_TRUE(run(*copy, p).ok);
    DcmDataset& out = *copy->getDataset();
    for (const DcmTagKey& t :
         {DcmTagKey(0x6000, 0x0010), DcmTagKey(0x6000, 0x0022), DcmTagKey(0x6000, 0x3000),
          DcmTagKey(0x6002, 0x4000), DcmTagKey(0x5000, 0x0005), DcmTagKey(0x0008, 0x0000)}) {
      EXPECT_FALSE(has(out, t)) << test::get(out, t);
    }
  }
}

TEST(Actions, UnlistedNamesAndDates) {
  // DICONDE attributes Table E.1-1 does not list: still a date, still a person.
  const DcmTagKey expiry(0x0014, 0x1020), evaluator(0x0014, 0x2006);
  for (const Profile& p : {Profile{}, Profile{{Option::RetainLongModifiedDates}},
                           Profile{{Option::RetainLongFullDates}}}) {
    auto file = test::make_ct();
    DcmDataset& ds = *file->getDataset();
    ds.putAndInsertString(DcmTag(expiry, EVR_DA), "20210315");
    DcmItem& item = test::add_item(ds, DCM_ReferencedSeriesSequence);
    item.putAndInsertString(DcmTag(evaluator, EVR_PN), "Hibbert^Julius");
    ASSERT_TRUE(run(*file, p).ok);
    DcmItem* nested = nullptr;
    ASSERT_TRUE(ds.findAndGetSequenceItem(DCM_ReferencedSeriesSequence, nested, -1).good());
    EXPECT_EQ(get(*nested, evaluator), "");
    const std::string date = get(ds, expiry);
    if (p.has(Option::RetainLongFullDates)) {
      EXPECT_EQ(date, "20210315");
    } else if (p.has(Option::RetainLongModifiedDates)) {
      EXPECT_EQ(date, *shift_date_value("20210315", date_offset_days(test::secret(), "PID-12345")));
    } else {
      EXPECT_EQ(date, "");
    }
  }
}

TEST(Actions, MalformedDatesAreBlankedNotPassedThrough) {
  auto file = test::make_ct();
  put(*file->getDataset(), DCM_StudyDate, "2021-3-15");
  ASSERT_TRUE(run(*file, Profile{{Option::RetainLongModifiedDates}}).ok);
  EXPECT_EQ(get(*file->getDataset(), DCM_StudyDate), "");
}

TEST(Actions, Marks) {
  for (const Profile& p :
       {Profile{}, Profile::obia_default(), Profile{{Option::RetainLongFullDates}}}) {
    auto file = test::make_ct();
    ASSERT_TRUE(run(*file, p).ok);
    DcmDataset& ds = *file->getDataset();
    EXPECT_EQ(get(ds, DCM_PatientIdentityRemoved), "YES");
    EXPECT_NE(get(ds, DCM_DeidentificationMethod).find("PS3.15 2026c"), std::string::npos);
    std::set<std::string> codes;
    DcmSequenceOfItems* seq = nullptr;
    ASSERT_TRUE(ds.findAndGetSequence(DCM_DeidentificationMethodCodeSequence, seq).good());
    for (unsigned long i = 0; i < seq->card(); ++i) {
      EXPECT_EQ(get(*seq->getItem(i), DCM_CodingSchemeDesignator), "DCM");
      codes.insert(get(*seq->getItem(i), DCM_CodeValue));
    }
    const std::string temporal = get(ds, DCM_LongitudinalTemporalInformationModified);
    if (p.options.empty()) {
      EXPECT_EQ(codes, std::set<std::string>{"113100"});
      EXPECT_EQ(temporal, "REMOVED");
    } else if (p.has(Option::RetainLongFullDates)) {
      EXPECT_EQ(codes, (std::set<std::string>{"113100", "113106"}));
      EXPECT_EQ(temporal, "UNMODIFIED");
    } else {
      EXPECT_EQ(codes, (std::set<std::string>{"113100", "113101", "113105", "113107", "113108",
                                              "113109", "113111"}));
      EXPECT_EQ(temporal, "MODIFIED");
      EXPECT_EQ(get(ds, DCM_BurnedInAnnotation), "NO");
    }
  }
}

TEST(Actions, CleanPixelDataRefusesDeclaredBurnedInText) {
  auto file = test::make_ct();
  put(*file->getDataset(), DCM_BurnedInAnnotation, "YES");
  const Outcome o = run(*file, Profile::obia_default());
  EXPECT_FALSE(o.ok);
  EXPECT_EQ(o.reason, "burned-in-annotation");
  auto basic = test::make_ct();
  put(*basic->getDataset(), DCM_BurnedInAnnotation, "YES");
  EXPECT_TRUE(run(*basic, Profile{}).ok);  // without the option it is not our claim to make
}

TEST(Actions, DefaultProfileKeepsWhatItsOptionsRetain) {
  auto file = test::make_ct();
  const Outcome o = run(*file, Profile::obia_default());
  ASSERT_TRUE(o.ok) << o.reason << " " << o.detail;
  DcmDataset& ds = *file->getDataset();
  EXPECT_EQ(get(ds, DCM_PatientSex), "M");
  EXPECT_EQ(get(ds, DCM_PatientAge), "067Y");
  EXPECT_EQ(get(ds, DCM_PatientWeight), "81.5");
  EXPECT_EQ(get(ds, DCM_Manufacturer), "ACME Imaging");
  EXPECT_EQ(get(ds, DCM_DeviceSerialNumber), "SN-778899");
  EXPECT_EQ(get(ds, DCM_StudyDescription), "CT CHEST W CONTRAST");
  EXPECT_EQ(get(ds, DCM_InstitutionName), kAbsent);
  EXPECT_EQ(get(ds, DCM_OperatorsName), kAbsent);
  EXPECT_EQ(get(ds, DCM_PatientBirthDate), "");
}

}  // namespace
}  // namespace obia::deid
