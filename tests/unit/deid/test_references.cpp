// Consistency across instances without any lookup table: references point at the remapped
// targets, and an individual's dates move together (also in later submissions).
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>

#include "deid/date_shift.h"
#include "deid/deidentifier.h"
#include "support.h"

namespace obia::deid {
namespace {

using test::get;
using test::put;

constexpr const char* kTargetSop = "1.2.826.0.1.3680043.2.1125.7.1";
constexpr const char* kTargetSeries = "1.2.826.0.1.3680043.2.1125.7.2";
constexpr const char* kTargetFrame = "1.2.826.0.1.3680043.2.1125.7.3";

std::unique_ptr<DcmFileFormat> target() {
  auto f = test::make_ct();
  put(*f->getDataset(), DCM_SOPInstanceUID, kTargetSop);
  put(*f->getDataset(), DCM_SeriesInstanceUID, kTargetSeries);
  put(*f->getDataset(), DCM_FrameOfReferenceUID, kTargetFrame);
  return f;
}

// An object referring to the target at several depths, as SEG/SR/RT objects do.
std::unique_ptr<DcmFileFormat> referrer() {
  auto f = std::make_unique<DcmFileFormat>();
  DcmDataset& ds = *f->getDataset();
  put(ds, DCM_SOPClassUID, UID_SegmentationStorage);
  put(ds, DCM_SOPInstanceUID, "1.2.826.0.1.3680043.2.1125.7.50");
  put(ds, DCM_PatientName, "Smithers^Waylon");
  put(ds, DCM_PatientID, "PID-12345");
  put(ds, DCM_FrameOfReferenceUID, kTargetFrame);
  DcmItem& series = test::add_item(ds, DCM_ReferencedSeriesSequence);
  put(series, DCM_SeriesInstanceUID, kTargetSeries);
  DcmItem& inst = test::add_item(series, DCM_ReferencedInstanceSequence);
  put(inst, DCM_ReferencedSOPClassUID, UID_CTImageStorage);
  put(inst, DCM_ReferencedSOPInstanceUID, kTargetSop);
  // Four levels down: PerFrameFunctionalGroups > DerivationImage > SourceImage > UID.
  DcmItem& frame = test::add_item(ds, DCM_PerFrameFunctionalGroupsSequence);
  DcmItem& derivation = test::add_item(frame, DCM_DerivationImageSequence);
  DcmItem& source = test::add_item(derivation, DCM_SourceImageSequence);
  put(source, DCM_ReferencedSOPClassUID, UID_CTImageStorage);
  put(source, DCM_ReferencedSOPInstanceUID, kTargetSop);
  return f;
}

DcmItem& item(DcmItem& parent, const DcmTagKey& seq) {
  DcmItem* i = nullptr;
  if (parent.findAndGetSequenceItem(seq, i, 0).bad() || i == nullptr)
    throw std::runtime_error("seq");
  return *i;
}

TEST(References, PointAtTheRemappedTargetsAtEveryDepth) {
  auto t = target();
  auto r = referrer();
  ASSERT_TRUE(deidentify(*t, Profile::obia_default(), test::secret(), test::subject()).ok);
  const Outcome o = deidentify(*r, Profile::obia_default(), test::secret(), test::subject());
  ASSERT_TRUE(o.ok) << o.reason << " " << o.detail;
  DcmDataset& td = *t->getDataset();
  DcmDataset& rd = *r->getDataset();
  const std::string sop = get(td, DCM_SOPInstanceUID);
  EXPECT_NE(sop, kTargetSop);
  EXPECT_EQ(get(rd, DCM_FrameOfReferenceUID), get(td, DCM_FrameOfReferenceUID));
  DcmItem& series = item(rd, DCM_ReferencedSeriesSequence);
  EXPECT_EQ(get(series, DCM_SeriesInstanceUID), get(td, DCM_SeriesInstanceUID));
  EXPECT_EQ(get(item(series, DCM_ReferencedInstanceSequence), DCM_ReferencedSOPInstanceUID), sop);
  DcmItem& source =
      item(item(item(rd, DCM_PerFrameFunctionalGroupsSequence), DCM_DerivationImageSequence),
           DCM_SourceImageSequence);
  EXPECT_EQ(get(source, DCM_ReferencedSOPInstanceUID), sop);
  EXPECT_EQ(get(source, DCM_ReferencedSOPClassUID), UID_CTImageStorage);
}

TEST(References, RemappingIsDeterministicAndKeyed) {
  auto a = target();
  auto b = target();
  auto c = target();
  ASSERT_TRUE(deidentify(*a, Profile{}, test::secret(1), test::subject()).ok);
  ASSERT_TRUE(deidentify(*b, Profile{}, test::secret(1), test::subject()).ok);
  ASSERT_TRUE(deidentify(*c, Profile{}, test::secret(2), test::subject()).ok);
  EXPECT_EQ(get(*a->getDataset(), DCM_SOPInstanceUID), get(*b->getDataset(), DCM_SOPInstanceUID));
  EXPECT_NE(get(*a->getDataset(), DCM_SOPInstanceUID), get(*c->getDataset(), DCM_SOPInstanceUID));
}

int shift_seen(const std::string& patient_id, const char* study_date) {
  auto f = test::make_ct();
  put(*f->getDataset(), DCM_PatientID, patient_id);
  put(*f->getDataset(), DCM_StudyDate, study_date);
  const Outcome o =
      deidentify(*f, Profile::obia_default(), test::secret(), Subject{"I000009", patient_id});
  if (!o.ok) throw std::runtime_error(o.reason + " " + o.detail);
  const std::string shifted = get(*f->getDataset(), DCM_StudyDate);
  // Days between the original and the shifted date, via the shift function itself.
  for (int d = 1; d <= kMaxDateShiftDays; ++d) {
    if (shift_date_value(study_date, -d) == shifted) return -d;
  }
  return 0;
}

TEST(References, DatesShiftTogetherWithinAnIndividualAndApartAcross) {
  const int first = shift_seen("PID-12345", "20210315");
  EXPECT_EQ(first, date_offset_days(test::secret(), "PID-12345"));
  EXPECT_EQ(shift_seen("PID-12345", "20230101"), first);  // a later submission: same offset
  EXPECT_NE(shift_seen("PID-67890", "20210315"), first);  // another individual
  // Without a caller-supplied ID the file's own PatientID is used.
  auto f = test::make_ct();
  ASSERT_TRUE(deidentify(*f, Profile::obia_default(), test::secret(), Subject{"I1", ""}).ok);
  EXPECT_EQ(get(*f->getDataset(), DCM_StudyDate), *shift_date_value("20210315", first));
}

}  // namespace
}  // namespace obia::deid
