// Applies D, Z, X, K, C, U (and their resolved combinations) element by element.
#include "deid/actions.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <array>
#include <memory>

#include "deid/date_shift.h"
#include "deid/dicom_value.h"
#include "deid/dummy_values.h"
#include "deid/text_clean.h"
#include "deid/uid_remap.h"

namespace obia::deid {
namespace {

std::string_view finding_name(TextFinding f) {
  switch (f) {
    case TextFinding::Clean:
      return "clean";
    case TextFinding::IdentifyingValue:
      return "identifying-value";
    case TextFinding::PersonName:
      return "person-name";
    case TextFinding::Date:
      return "date";
    case TextFinding::Identifier:
      return "identifier";
    case TextFinding::PhoneNumber:
      return "phone-number";
    case TextFinding::Address:
      return "address";
    case TextFinding::Institution:
      return "institution";
    case TextFinding::Uid:
      return "uid";
    case TextFinding::Binary:
      return "binary";
  }
  return "";
}

std::string trim_value(std::string_view v) {
  while (!v.empty() && (v.back() == ' ' || v.back() == '\0')) v.remove_suffix(1);
  while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
  return std::string(v);
}

class Engine {
 public:
  Engine(const EngineInput& in, EngineReport& report) : in_(in), report_(report) {}

  void walk(DcmItem& item, Context context) {
    filter_private(item, in_.policy.profile.has(Option::RetainSafePrivate), in_.removed, path_,
                   report_.notes);
    const std::vector<DcmElement*> elems = elements_of(item);
    for (auto it = elems.rbegin(); it != elems.rend(); ++it) {  // last first: removal is local
      DcmElement* elem = *it;
      const DcmTagKey tag = elem->getTag();
      if (tag.getGroup() & 1) continue;  // filter_private() decided these
      const DcmEVR vr = effective_vr(*elem);
      path_.push(tag);
      const Decision d = decide(in_.policy, tag, vr, context, path_.depth() > 1);
      apply(item, elem, vr, d.treatment, d.fallback, context);
      path_.pop();
    }
  }

  void walk_meta(DcmItem& meta) {
    const std::vector<DcmElement*> elems = elements_of(meta);
    for (auto it = elems.rbegin(); it != elems.rend(); ++it) {
      DcmElement* elem = *it;
      path_.push(elem->getTag());
      const Decision d = decide_meta(in_.policy, elem->getTag());
      apply(meta, elem, effective_vr(*elem), d.treatment, d.fallback, Context::Normal);
      path_.pop();
    }
  }

  void fail(std::string what) {
    if (report_.ok) report_.failure = std::move(what) + " at " + path_.str();
    report_.ok = false;
  }

 private:
  void apply(DcmItem& item, DcmElement* elem, DcmEVR vr, Treatment t, Treatment fallback,
             Context context) {
    const bool is_seq = elem->ident() == EVR_SQ;
    switch (t) {
      case Treatment::Keep:
        restore_vr(item, elem, vr);
        return;
      case Treatment::Recurse:
      case Treatment::DummyItems:
      case Treatment::CleanItems:
        if (is_seq) {
          walk_items(static_cast<DcmSequenceOfItems&>(*elem), context_for_items(t, context));
        } else if (t != Treatment::Recurse) {
          remove_element(item, elem);  // a sequence row holding a non-sequence: not understood
        }
        return;
      case Treatment::Remove:
        remove_element(item, elem);
        return;
      case Treatment::Empty:
        if (elem->clear().bad()) remove_element(item, elem);
        return;
      case Treatment::Dummy:
        put_dummy(item, elem, vr);
        return;
      case Treatment::CleanText:
        clean_text(item, elem, vr, fallback, context);
        return;
      case Treatment::RemapUid:
        remap(item, elem);
        return;
      case Treatment::ShiftDate:
        shift(item, elem, vr);
        return;
      case Treatment::PseudonymAE:
        pseudonym(item, elem);
        return;
      case Treatment::Accession:
        // Re-inserted with the dictionary VR by apply_profile() (the original may be UN).
        remove_element(item, elem);
        return;
      case Treatment::SafePrivate:
        return;  // handled per item by filter_private()
    }
  }

  // A kept standard string attribute read as UN (explicit VR files that say UN) is written
  // back with its dictionary VR: same bytes, but readers (and DCMTK's own meta header update)
  // can use it again.
  void restore_vr(DcmItem& item, DcmElement* elem, DcmEVR vr) {
    if (elem->getTag().getEVR() != EVR_UN || vr == EVR_UN || !is_string_vr(vr)) return;
    if (elem->getTag().isPrivate() || is_bulk_data(elem->getTag())) return;
    std::string text;
    if (!value_text(*elem, text)) return;
    while (!text.empty() && text.back() == '\0') text.pop_back();
    replace_with_vr(item, elem, vr, text);  // on failure the UN original stays as it was
  }

  void walk_items(DcmSequenceOfItems& seq, Context context) {
    long i = 0;
    for (DcmItem* it : items_of(seq)) {
      path_.set_item(i++);
      walk(*it, context);
    }
    path_.set_item(-1);
  }

  void put_dummy(DcmItem& item, DcmElement* elem, DcmEVR vr) {
    const DcmEVR stored = elem->getTag().getEVR();
    if (vr == EVR_UI) return remap(item, elem);
    if (const auto text = dummy_text(vr, elem->getTag())) {
      if (stored == vr) {
        if (!put_text(*elem, *text)) remove_element(item, elem);
      } else if (!replace_with_vr(item, elem, vr, *text)) {
        remove_element(item, elem);
      }
      return;
    }
    if (vr == EVR_OB || vr == EVR_OW) {
      const std::array<Uint8, 2> zero{0, 0};
      if (stored == EVR_UN || elem->putUint8Array(zero.data(), 2).bad()) remove_element(item, elem);
      return;
    }
    if (is_binary_number_vr(vr) && vr != EVR_AT && stored == vr) {
      if (elem->putString("0").bad()) remove_element(item, elem);
      return;
    }
    remove_element(item, elem);  // no dummy for this VR (unknown tag read as UN, AT, ...)
  }

  void clean_text(DcmItem& item, DcmElement* elem, DcmEVR vr, Treatment fallback, Context context) {
    std::string text;
    if (value_text(*elem, text)) {
      // Bytes (OB/UN) are only text worth keeping if they are printable.
      const bool bytes = elem->getTag().getEVR() == EVR_OB || elem->getTag().getEVR() == EVR_UN;
      bool printable = true;
      for (unsigned char c : text) printable = printable && (c == 0 || (c >= 0x20 && c < 0x7F));
      const TextFinding f =
          bytes && !printable ? TextFinding::Binary : inspect_text(text, in_.identifying);
      if (f == TextFinding::Clean) return;
      report_.notes.push_back("clean: not kept " + path_.str() + " (" +
                              std::string(finding_name(f)) + ")");
    }
    apply(item, elem, vr, fallback == Treatment::CleanText ? Treatment::Remove : fallback,
          Treatment::Remove, context);
  }

  void remap(DcmItem& item, DcmElement* elem) {
    std::string text;
    if (!value_text(*elem, text)) return remove_element(item, elem);
    const std::string mapped = map_uid_value(in_.secret, text);
    if (elem->getTag().getEVR() == EVR_UI) {
      if (!put_text(*elem, mapped)) fail("uid");
    } else if (!replace_with_vr(item, elem, EVR_UI, mapped)) {
      remove_element(item, elem);
    }
  }

  void shift(DcmItem& item, DcmElement* elem, DcmEVR vr) {
    std::string text;
    if (!value_text(*elem, text)) return remove_element(item, elem);
    const auto shifted = vr == EVR_DT ? shift_datetime_value(text, in_.date_offset_days)
                                      : shift_date_value(text, in_.date_offset_days);
    if (!shifted) {  // malformed: never pass an unshifted date through
      if (elem->clear().bad()) remove_element(item, elem);
      return;
    }
    if (elem->getTag().getEVR() == vr) {
      if (!put_text(*elem, *shifted)) fail("date");
    } else if (!replace_with_vr(item, elem, vr, *shifted)) {
      remove_element(item, elem);
    }
  }

  void pseudonym(DcmItem& item, DcmElement* elem) {
    std::string text, out;
    if (!value_text(*elem, text)) return remove_element(item, elem);
    for (std::string_view rest = text;;) {
      const auto sep = rest.find('\\');
      const std::string title = trim_value(rest.substr(0, sep));
      if (!title.empty()) out.append(pseudonym_ae(in_.secret, title));
      if (sep == std::string_view::npos) break;
      out.push_back('\\');
      rest.remove_prefix(sep + 1);
    }
    if (elem->getTag().getEVR() != EVR_AE || !put_text(*elem, out)) remove_element(item, elem);
  }

  const EngineInput& in_;
  EngineReport& report_;
  TagPath path_;
};

}  // namespace

std::string pseudonym_ae(const Secret& secret, std::string_view title) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  const Digest d = keyed_hash(secret, "ae-title", title);
  std::string out = "AE";
  for (int i = 0; i < 7; ++i) {
    out.push_back(kHex[d[static_cast<std::size_t>(i)] >> 4]);
    out.push_back(kHex[d[static_cast<std::size_t>(i)] & 0xF]);
  }
  return out;
}

EngineReport apply_profile(DcmFileFormat& file, const EngineInput& in) {
  EngineReport report;
  Engine engine(in, report);
  DcmDataset* ds = file.getDataset();
  DcmMetaInfo* meta = file.getMetaInfo();
  if (ds == nullptr) {
    report.ok = false;
    report.failure = "no data set";
    return report;
  }
  if (meta != nullptr) engine.walk_meta(*meta);
  engine.walk(*ds, Context::Normal);

  // The subject rule: both attributes carry the individual accession, present or not.
  const std::string accession(in.accession);
  if (ds->putAndInsertString(DCM_PatientName, accession.c_str()).bad() ||
      ds->putAndInsertString(DCM_PatientID, accession.c_str()).bad()) {
    engine.fail("accession");
  }
  // The meta header must name the same instance as the data set (read as bytes: the data set's
  // element may be UN).
  DcmElement* sop_elem = nullptr;
  std::string sop;
  if (meta != nullptr && ds->findAndGetElement(DCM_SOPInstanceUID, sop_elem).good() &&
      value_text(*sop_elem, sop)) {
    while (!sop.empty() && (sop.back() == '\0' || sop.back() == ' ')) sop.pop_back();
    if (!sop.empty() &&
        meta->putAndInsertString(DCM_MediaStorageSOPInstanceUID, sop.c_str()).bad()) {
      engine.fail("media storage uid");
    }
  }
  return report;
}

}  // namespace obia::deid
