// Reason codes and the curator-facing texts of NAME.reason.
#include "ingest/outcome.h"

namespace obia::ingest {

std::string_view reason_code(Reason r) {
  switch (r) {
    case Reason::None: return "none";
    case Reason::Corrupt: return "corrupt";
    case Reason::TooLarge: return "too-large";
    case Reason::NoPatientId: return "no-patient-id";
    case Reason::BadUid: return "bad-uid";
    case Reason::MixedPatient: return "mixed-patient";
    case Reason::Conflict: return "conflict";
    case Reason::Undecodable: return "undecodable";
    case Reason::BurnedInText: return "burned-in-text";
    case Reason::DuplicatePixels: return "duplicate-pixels";
    case Reason::ResidualPhi: return "residual-phi";
    case Reason::DeidFailed: return "deid-failed";
    case Reason::Internal: return "internal-error";
  }
  return "unknown";
}

std::string_view reason_explanation(Reason r) {
  switch (r) {
    case Reason::None: return "No problem.";
    case Reason::Corrupt:
      return "The file is not a readable DICOM file: it is empty, truncated, or not DICOM at all.";
    case Reason::TooLarge: return "The file is larger than this archive accepts.";
    case Reason::NoPatientId:
      return "The file has no PatientID (blank or missing patient identification), so it cannot be "
             "assigned to an individual.";
    case Reason::BadUid:
      return "A Study, Series or SOP Instance UID is missing or malformed.";
    case Reason::MixedPatient:
      return "This file's study or series is already archived under a different individual: "
             "images of two patients are mixed.";
    case Reason::Conflict:
      return "An image with the same SOP Instance UID but different content is already archived.";
    case Reason::Undecodable:
      return "The pixel data cannot be decoded with any available codec.";
    case Reason::BurnedInText:
      return "Text was found burned into the pixels; it may identify the patient.";
    case Reason::DuplicatePixels:
      return "The pixel data is identical to an image already archived under another SOP Instance "
             "UID, and this collection rejects such copies.";
    case Reason::ResidualPhi:
      return "After de-identification an identifying value was still found in the file, so it was "
             "not archived.";
    case Reason::DeidFailed: return "The file could not be de-identified.";
    case Reason::Internal: return "The archive could not process the file because of an internal error.";
  }
  return "";
}

std::string_view reason_fix(Reason r) {
  switch (r) {
    case Reason::None: return "";
    case Reason::Corrupt:
      return "Export the image again from the source system (check the copy completed) and copy "
             "it into the inbox again.";
    case Reason::TooLarge: return "Split multi-frame objects, or ask the admin to raise the limit.";
    case Reason::NoPatientId:
      return "Fill in PatientID (the local ID; it is replaced by an accession) and resubmit.";
    case Reason::BadUid:
      return "Give the file valid UIDs (digits and dots, at most 64 characters) and resubmit.";
    case Reason::MixedPatient:
      return "Check the PatientID of this file and of the archived study; correct the wrong one "
             "and resubmit.";
    case Reason::Conflict:
      return "If the new file is a correction, ask the admin to retire the archived image; "
             "otherwise give the file its own SOP Instance UID.";
    case Reason::Undecodable:
      return "Re-export the image uncompressed or with a standard transfer syntax and resubmit.";
    case Reason::BurnedInText:
      return "Blank the text regions (add them to the collection's pixel rules) or remove the "
             "image, then resubmit.";
    case Reason::DuplicatePixels:
      return "Remove the copy (the detail names the archived image); if it is really a different "
             "image, ask the admin to allow pixel duplicates for the collection.";
    case Reason::ResidualPhi:
      return "Remove the identifying text from the named element (or from free text), then "
             "resubmit; report the case to the archive team.";
    case Reason::DeidFailed: return "Report the file to the archive team.";
    case Reason::Internal:
      return "Resubmit later; if it happens again, report it to the archive team.";
  }
  return "";
}

}  // namespace obia::ingest
