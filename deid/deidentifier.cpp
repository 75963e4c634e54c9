// The de-identification stage: collect the original's identifying values, apply the profile,
// write the marks, then verify the result independently of the engine.
#include "deid/deidentifier.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>

#include <exception>

#include "deid/actions.h"
#include "deid/date_shift.h"
#include "deid/identifying.h"
#include "deid/iod_type.h"
#include "deid/marks.h"
#include "deid/verify.h"

namespace obia::deid {
namespace {

Outcome failed(std::string reason, std::string detail) {
  Outcome o;
  o.reason = std::move(reason);
  o.detail = std::move(detail);
  return o;
}

Outcome run(DcmFileFormat& file, const Profile& profile, const Secret& secret,
            const Subject& subject) {
  if (subject.individual_accession.empty()) {
    return failed("deid-failed", "no individual accession for PatientName/PatientID");
  }
  if (profile.has(Option::RetainLongFullDates) && profile.has(Option::RetainLongModifiedDates)) {
    return failed("deid-failed", "full and modified dates options are mutually exclusive");
  }
  DcmDataset* ds = file.getDataset();
  if (ds == nullptr) return failed("deid-failed", "no data set");
  // Values left on disk would be read after the file has been changed; read them all now.
  ds->loadAllDataIntoMemory();

  // Clean Pixel Data: an instance that declares burned-in text cannot be cleaned here.
  OFString burned;
  if (profile.has(Option::CleanPixelData) &&
      ds->findAndGetOFString(DCM_BurnedInAnnotation, burned).good() && burned == "YES") {
    return failed("burned-in-annotation", "(0028,0301)");
  }

  // One offset per individual; the caller's original PatientID, else the file's own.
  std::string patient_id = subject.original_patient_id;
  OFString file_patient_id;
  if (patient_id.empty() && ds->findAndGetOFString(DCM_PatientID, file_patient_id).good()) {
    patient_id = file_patient_id.c_str();
  }
  const int offset = date_offset_days(secret, patient_id);

  const IodContext iod = iod_context(*ds);
  const Policy policy{profile, iod};
  IdentifyingSet identifying =
      collect_identifying(file, policy, subject.individual_accession, offset);
  const TokenMatcher matcher(identifying.values.tokens);

  const EngineInput in{
      policy, secret, offset, subject.individual_accession, matcher, identifying.removed};
  EngineReport report = apply_profile(file, in);
  if (!report.ok) return failed("deid-failed", report.failure);
  if (!apply_marks(*ds, profile)) return failed("deid-failed", "marks");

  if (auto hit = find_residual_in_file(file, matcher)) return failed("residual-phi", *hit);

  Outcome ok;
  ok.ok = true;
  ok.notes = std::move(report.notes);
  ok.identifying = std::move(identifying.values);
  return ok;
}

}  // namespace

Outcome deidentify(DcmFileFormat& file, const Profile& profile, const Secret& secret,
                   const Subject& subject) {
  try {
    return run(file, profile, secret, subject);
  } catch (const std::exception&) {
    return failed("deid-failed", "exception during de-identification");
  }
}

std::string find_residual(std::span<const uint8_t> bytes, const IdentifyingValues& values) {
  const TokenMatcher matcher(values.tokens);
  return find_residual_in_bytes(bytes, matcher).value_or(std::string());
}

}  // namespace obia::deid
