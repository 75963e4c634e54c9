// The marks of E.1.1 step 6, with the CID 7050 codes (checked against DCMTK's dcmsr/codes/dcm.h).
#include "deid/marks.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

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

namespace {

// The method text and code sequence depend only on the options: built once per option set
// (per thread) and copied into each file, instead of a dictionary lookup per element per file.
struct MethodMarks {
  std::string method;
  std::unique_ptr<DcmSequenceOfItems> codes;
};

std::unique_ptr<MethodMarks> build_marks(const Profile& profile) {
  auto m = std::make_unique<MethodMarks>();
  for (const std::string& part : method_description(profile)) {
    if (!m->method.empty()) m->method.push_back('\\');
    m->method.append(part);
  }
  m->codes = std::make_unique<DcmSequenceOfItems>(DCM_DeidentificationMethodCodeSequence);
  std::vector<MethodCode> codes{method_code_basic()};
  for (Option o : profile.options) codes.push_back(method_code(o));
  for (const MethodCode& c : codes) {
    auto item = std::make_unique<DcmItem>();
    const std::string value(c.value), meaning(c.meaning);
    if (item->putAndInsertString(DCM_CodeValue, value.c_str()).bad() ||
        item->putAndInsertString(DCM_CodingSchemeDesignator, "DCM").bad() ||
        item->putAndInsertString(DCM_CodeMeaning, meaning.c_str()).bad() ||
        m->codes->append(item.get()).bad())
      return nullptr;
    item.release();  // owned by the sequence now
  }
  return m;
}

const MethodMarks* marks_for(const Profile& profile) {
  thread_local std::map<std::set<Option>, std::unique_ptr<MethodMarks>> cache;
  auto it = cache.find(profile.options);
  if (it == cache.end()) it = cache.emplace(profile.options, build_marks(profile)).first;
  return it->second.get();
}

}  // namespace

bool apply_marks(DcmDataset& ds, const Profile& profile) {
  const MethodMarks* marks = marks_for(profile);
  if (marks == nullptr) return false;
  bool ok = ds.putAndInsertString(DCM_PatientIdentityRemoved, "YES").good();
  ok = ok && ds.putAndInsertString(DCM_DeidentificationMethod, marks->method.c_str()).good();
  ds.findAndDeleteElement(DCM_DeidentificationMethodCodeSequence);
  auto codes = std::make_unique<DcmSequenceOfItems>(*marks->codes);
  ok = ok && ds.insert(codes.get(), OFTrue).good();
  if (ok) codes.release();  // owned by the data set now

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
