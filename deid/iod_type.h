// Resolves the combined action codes (Z/D, X/Z, X/D, X/Z/D, X/Z/U*) by the attribute's Type in
// the IOD of the instance, using a small curated list instead of a full IOD model.
#pragma once

#include <dcmtk/dcmdata/dcdatset.h>

#include <string>

#include "deid/rule_table.h"

namespace obia::deid {

struct IodContext {
  std::string sop_class_uid;
  bool structured_report = false;  // SR Document General module: ContentDate/Time are Type 1
  bool enhanced = false;           // multi-frame functional groups + Enhanced General Equipment
  bool radiotherapy = false;       // RT Series: OperatorsName Type 2; RT General Plan: date Type 2
  bool waveform = false;           // Waveform Identification: content/acquisition times Type 1
  bool annotation = false;         // Microscopy Bulk Simple Annotations + Enhanced Equipment
  // Common Instance Reference module present: the instance-level references (Referenced/Source
  // Image Sequence) must stay resolvable.
  bool references_instances = false;
};

IodContext iod_context(DcmDataset& dataset);

// Resolves a combined code for an attribute that is present, to X, Z, D, or K (K only for
// X/Z/U*, meaning "keep the sequence; its UIDs are remapped as it is walked"). Rule:
//  - D when the attribute is Type 1 in the IOD: ContentDate/ContentTime in SR, waveform,
//    annotation and enhanced objects; AcquisitionDateTime in waveform and enhanced objects;
//    DeviceSerialNumber where Enhanced General Equipment applies (enhanced, annotations);
//  - D also for X/D attributes that are Type 2 (X would drop them, Z is not allowed):
//    RTPlanDate/RTPlanTime in RT objects;
//  - Z when it is Type 2 in the IODs that use it (AcquisitionContextSequence,
//    PatientSexNeutered, ReviewerName, TreatmentMachineName, ContentCreatorName,
//    ContrastBolusAgent, InstructionPerformedDateTime, PatientID, ContentDate, ContentTime;
//    OperatorsName in RT objects; ReferencedPerformedProcedureStepSequence in SR objects);
//  - X/Z/U*: kept with remapped UIDs inside a sequence (Derivation Image / Referenced Image
//    macros, where the sequence is Type 1) and in instances with a Common Instance Reference
//    module (SEG, SR, annotations..., whose references must resolve); otherwise, at the top
//    level (Type 3 in the General Image module), removed;
//  - otherwise the leftmost, most conservative code.
// Plain codes are returned unchanged.
Action resolve_for_iod(Action code, const Rule& rule, const IodContext& iod, bool nested);

}  // namespace obia::deid
