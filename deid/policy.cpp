// Maps table codes, options and VRs to the engine's Treatment for one attribute.
#include "deid/policy.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include "deid/dicom_value.h"

namespace obia::deid {
namespace {

bool repeating(uint16_t group, uint16_t base) {
  return group >= base && group <= base + 0x1E && (group & 1) == 0;
}

bool is_code_identifier(const DcmTagKey& t) {
  return t == DCM_CodeValue || t == DCM_CodingSchemeDesignator || t == DCM_CodingSchemeVersion ||
         t == DCM_LongCodeValue || t == DCM_URNCodeValue;
}

Treatment unlisted(const Policy& p, const DcmTagKey& tag, DcmEVR vr, Context context) {
  const Profile& profile = p.profile;
  switch (vr) {
    case EVR_SQ:
      return Treatment::Recurse;
    case EVR_UI:
      return profile.has(Option::RetainUIDs) ? Treatment::Keep : Treatment::RemapUid;
    case EVR_DA:
    case EVR_DT:
      if (profile.has(Option::RetainLongFullDates)) return Treatment::Keep;
      if (profile.has(Option::RetainLongModifiedDates)) return Treatment::ShiftDate;
      return Treatment::Empty;  // Basic: a date the table does not list is still a date
    case EVR_PN:
      return context == Context::Dummy ? Treatment::Dummy : Treatment::Empty;
    default:
      break;
  }
  if (is_free_text_vr(vr)) {
    // Inside a D sequence the codes stay (values of coding schemes, not free text), so that
    // concept names and units still parse; their meanings become dummies.
    if (context == Context::Dummy && is_code_identifier(tag)) return Treatment::Keep;
    if (context == Context::Dummy) return Treatment::Dummy;
    if (context == Context::Clean) return Treatment::CleanText;
  }
  return Treatment::Keep;
}

// A resolved single code (X, Z, D, K, U) for a value of `vr`.
Treatment from_code(Action a, DcmEVR vr) {
  switch (a) {
    case Action::K:
      return vr == EVR_SQ ? Treatment::Recurse : Treatment::Keep;
    case Action::Z:
      return Treatment::Empty;
    case Action::D:
      if (vr == EVR_SQ) return Treatment::DummyItems;
      if (vr == EVR_UI) return Treatment::RemapUid;
      return Treatment::Dummy;
    case Action::U:
      return Treatment::RemapUid;
    default:
      return Treatment::Remove;
  }
}

Decision from_rule(const Policy& p, const Rule& rule, DcmEVR vr, bool nested) {
  Decision d;
  d.rule = &rule;
  const Action code = resolve_for_iod(effective_action(rule, p.profile), rule, p.iod, nested);
  const Treatment basic = from_code(resolve_for_iod(rule.basic, rule, p.iod, nested), vr);
  if (code != Action::C) {
    d.treatment = from_code(code, vr);
    return d;
  }
  switch (vr) {
    case EVR_SQ:
      d.treatment = Treatment::CleanItems;
      break;
    case EVR_DA:
    case EVR_DT:
      d.treatment = Treatment::ShiftDate;
      break;
    case EVR_TM:
      d.treatment = Treatment::Keep;
      break;  // whole-day shifts leave times alone
    case EVR_AE:
      d.treatment = Treatment::PseudonymAE;
      break;
    default:
      // Text of any kind, codes (CS) included; OB/UN only when they hold printable text.
      if (is_free_text_vr(vr) || vr == EVR_CS || vr == EVR_OB || vr == EVR_UN) {
        d.treatment = Treatment::CleanText;
        d.fallback = basic;
      } else {
        d.treatment = basic;  // nothing to clean with (binary, overlay bitmaps): Basic applies
      }
  }
  return d;
}

}  // namespace

Decision decide(const Policy& p, const DcmTagKey& tag, DcmEVR vr, Context context, bool nested) {
  const uint16_t group = tag.getGroup();
  const uint16_t element = tag.getElement();
  Decision d;
  if (group & 1) {
    d.rule = find_rule(group, element);
    d.treatment =
        p.profile.has(Option::RetainSafePrivate) ? Treatment::SafePrivate : Treatment::Remove;
    return d;
  }
  if (element == 0x0000 || group == 0x0002) {  // group lengths; meta elements in a data set
    d.treatment = Treatment::Remove;
    return d;
  }
  if (!nested && (tag == DCM_PatientName || tag == DCM_PatientID)) {
    d.treatment = Treatment::Accession;
    d.rule = find_rule(group, element);
    return d;
  }
  // Overlay planes and curves go as whole groups: their other attributes (labels,
  // descriptions, ROI statistics) are meaningless without the data the table removes, and
  // Clean Graphics has no bitmap cleaner here.
  if (repeating(group, 0x6000) || repeating(group, 0x5000)) {
    d.rule = find_rule(group, element);
    d.treatment = Treatment::Remove;
    return d;
  }
  if (const Rule* rule = find_rule(group, element)) return from_rule(p, *rule, vr, nested);
  d.treatment = unlisted(p, tag, vr, context);
  d.fallback = Treatment::Dummy;
  return d;
}

Decision decide_meta(const Policy& p, const DcmTagKey& tag) {
  Decision d;
  if (tag == DCM_MediaStorageSOPInstanceUID) {
    d.rule = find_rule(tag.getGroup(), tag.getElement());
    d.treatment = p.profile.has(Option::RetainUIDs) ? Treatment::Keep : Treatment::RemapUid;
  } else if (tag == DCM_FileMetaInformationGroupLength || tag == DCM_FileMetaInformationVersion ||
             tag == DCM_MediaStorageSOPClassUID || tag == DCM_TransferSyntaxUID ||
             tag == DCM_ImplementationClassUID || tag == DCM_ImplementationVersionName) {
    d.treatment = Treatment::Keep;  // describe the encoding and the software, not anyone
  } else {
    d.treatment = Treatment::Remove;  // AE titles, presentation addresses, private information
  }
  return d;
}

Context context_for_items(Treatment t, Context parent) {
  if (parent == Context::Dummy || t == Treatment::DummyItems) return Context::Dummy;
  if (parent == Context::Clean || t == Treatment::CleanItems) return Context::Clean;
  return Context::Normal;
}

}  // namespace obia::deid
