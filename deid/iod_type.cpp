// The curated Type table behind resolve_for_iod(); see iod_type.h for the rule.
#include "deid/iod_type.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <array>

namespace obia::deid {
namespace {

constexpr uint32_t key(uint16_t g, uint16_t e) { return (uint32_t{g} << 16) | e; }

// Type 2 wherever these appear in the IODs we archive.
constexpr std::array<uint32_t, 10> kType2{
    key(0x0040, 0x0555),  // AcquisitionContextSequence
    key(0x0010, 0x2203),  // PatientSexNeutered (Type 2C, present only when required)
    key(0x300E, 0x0008),  // ReviewerName (Type 2C)
    key(0x300A, 0x00B2),  // TreatmentMachineName
    key(0x0070, 0x0084),  // ContentCreatorName
    key(0x0018, 0x0010),  // ContrastBolusAgent
    key(0x0018, 0x9919),  // InstructionPerformedDateTime
    key(0x0010, 0x0020),  // PatientID (replaced by the accession before this matters)
    key(0x0008, 0x0023),  // ContentDate (General Image: Type 2C)
    key(0x0008, 0x0033),  // ContentTime
};

bool type1(uint32_t k, const IodContext& iod) {
  const bool content = k == key(0x0008, 0x0023) || k == key(0x0008, 0x0033);
  if (content && (iod.structured_report || iod.enhanced || iod.waveform || iod.annotation)) {
    return true;
  }
  if (k == key(0x0008, 0x002A)) return iod.enhanced || iod.waveform;    // AcquisitionDateTime
  if (k == key(0x0018, 0x1000)) return iod.enhanced || iod.annotation;  // DeviceSerialNumber
  // RTPlanDate/RTPlanTime: Type 2, and X/D offers no Z.
  return iod.radiotherapy && (k == key(0x300A, 0x0006) || k == key(0x300A, 0x0007));
}

bool type2(uint32_t k, const IodContext& iod) {
  for (uint32_t t : kType2) {
    if (t == k) return true;
  }
  if (iod.radiotherapy && k == key(0x0008, 0x1070)) return true;  // OperatorsName, RT Series
  // ReferencedPerformedProcedureStepSequence, SR Document Series.
  return iod.structured_report && k == key(0x0008, 0x1111);
}

}  // namespace

IodContext iod_context(DcmDataset& dataset) {
  IodContext iod;
  OFString sop;
  if (dataset.findAndGetOFString(DCM_SOPClassUID, sop).good()) iod.sop_class_uid = sop.c_str();
  iod.structured_report = iod.sop_class_uid.starts_with("1.2.840.10008.5.1.4.1.1.88.");
  iod.enhanced = dataset.tagExists(DCM_SharedFunctionalGroupsSequence) ||
                 dataset.tagExists(DCM_PerFrameFunctionalGroupsSequence);
  iod.radiotherapy = iod.sop_class_uid.starts_with("1.2.840.10008.5.1.4.1.1.481.");
  iod.waveform = iod.sop_class_uid.starts_with("1.2.840.10008.5.1.4.1.1.9.");
  iod.annotation = iod.sop_class_uid == "1.2.840.10008.5.1.4.1.1.91.1";
  iod.references_instances =
      dataset.tagExists(DCM_ReferencedSeriesSequence) ||
      dataset.tagExists(DCM_StudiesContainingOtherReferencedInstancesSequence);
  return iod;
}

Action resolve_for_iod(Action code, const Rule& rule, const IodContext& iod, bool nested) {
  const uint32_t k = key(rule.group, rule.element);
  switch (code) {
    case Action::Z_D:
      return type1(k, iod) ? Action::D : Action::Z;
    case Action::X_Z:
      return type2(k, iod) ? Action::Z : Action::X;
    case Action::X_D:
      return type1(k, iod) ? Action::D : Action::X;
    case Action::X_Z_D:
      if (type1(k, iod)) return Action::D;
      return type2(k, iod) ? Action::Z : Action::X;
    case Action::X_Z_Ustar:
      return nested || iod.references_instances ? Action::K : Action::X;
    default:
      return code;
  }
}

}  // namespace obia::deid
