// The marks of E.1.1 step 6, with the CID 7050 codes (checked against DCMTK's dcmsr/codes/dcm.h).
#include "deid/marks.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>

#include "deid/rule_table.h"

namespace obia::deid {

MethodCode method_code_basic() { return {"113100", "Basic Application Confidentiality Profile"}; }

MethodCode method_code(Option o) {
  switch (o) {
    case Option::CleanPixelData:
      return {"113101", "Clean Pixel Data Option"};
    case Option::CleanGraphics:
      return {"113103", "Clean Graphics Option"};
    case Option::CleanStructuredContent:
      return {"113104", "Clean Structured Content Option"};
    case Option::CleanDescriptors:
      return {"113105", "Clean Descriptors Option"};
    case Option::RetainLongFullDates:
      return {"113106", "Retain Longitudinal Temporal Information Full Dates Option"};
    case Option::RetainLongModifiedDates:
      return {"113107", "Retain Longitudinal Temporal Information Modified Dates Option"};
    case Option::RetainPatientCharacteristics:
      return {"113108", "Retain Patient Characteristics Option"};
    case Option::RetainDeviceIdentity:
      return {"113109", "Retain Device Identity Option"};
    case Option::RetainUIDs:
      return {"113110", "Retain UIDs Option"};
    case Option::RetainSafePrivate:
      return {"113111", "Retain Safe Private Option"};
    case Option::RetainInstitutionIdentity:
      return {"113112", "Retain Institution Identity Option"};
  }
  return {"", ""};
}

std::vector<std::string> method_description(const Profile& profile) {
  std::vector<std::string> v;
  v.push_back("OBIA de-identification, " + std::string(annex_e_edition()) + " Annex E");
  v.emplace_back(method_code_basic().meaning);
  for (Option o : profile.options) v.emplace_back(method_code(o).meaning);
  return v;
}

bool apply_marks(DcmDataset& ds, const Profile& profile) {
  bool ok = ds.putAndInsertString(DCM_PatientIdentityRemoved, "YES").good();

  std::string method;
  for (const std::string& part : method_description(profile)) {
    if (!method.empty()) method.push_back('\\');
    method.append(part);
  }
  ok = ok && ds.putAndInsertString(DCM_DeidentificationMethod, method.c_str()).good();

  ds.findAndDeleteElement(DCM_DeidentificationMethodCodeSequence);
  std::vector<MethodCode> codes{method_code_basic()};
  for (Option o : profile.options) codes.push_back(method_code(o));
  for (std::size_t i = 0; i < codes.size() && ok; ++i) {
    DcmItem* item = nullptr;
    ok = ds.findOrCreateSequenceItem(DCM_DeidentificationMethodCodeSequence, item,
                                     static_cast<long>(i))
             .good() &&
         item != nullptr;
    if (!ok) break;
    const std::string value(codes[i].value), meaning(codes[i].meaning);
    ok = item->putAndInsertString(DCM_CodeValue, value.c_str()).good() &&
         item->putAndInsertString(DCM_CodingSchemeDesignator, "DCM").good() &&
         item->putAndInsertString(DCM_CodeMeaning, meaning.c_str()).good();
  }

  const char* temporal = profile.has(Option::RetainLongModifiedDates) ? "MODIFIED"
                         : profile.has(Option::RetainLongFullDates)   ? "UNMODIFIED"
                                                                      : "REMOVED";
  ok = ok && ds.putAndInsertString(DCM_LongitudinalTemporalInformationModified, temporal).good();

  // Clean Pixel Data: the burned-in text detector runs before de-identification (QC stage)
  // and quarantines on suspicion, so an image that reaches this point carries none.
  if (profile.has(Option::CleanPixelData) && ds.tagExists(DCM_PixelData)) {
    ok = ok && ds.putAndInsertString(DCM_BurnedInAnnotation, "NO").good();
  }
  return ok;
}

std::vector<std::string> mark_texts() {
  Profile all;
  for (int i = 0; i <= static_cast<int>(Option::CleanPixelData); ++i) {
    all.options.insert(static_cast<Option>(i));
  }
  std::vector<std::string> v = method_description(all);
  v.emplace_back(method_code_basic().value);
  for (Option o : all.options) v.emplace_back(method_code(o).value);
  for (const char* s : {"YES", "NO", "DCM", "MODIFIED", "UNMODIFIED", "REMOVED"}) v.emplace_back(s);
  return v;
}

}  // namespace obia::deid
