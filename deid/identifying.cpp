// The collection walk behind collect_identifying(); see identifying.h for what counts.
#include "deid/identifying.h"

#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <unordered_set>

#include "deid/date_shift.h"
#include "deid/dicom_value.h"
#include "deid/dummy_values.h"
#include "deid/marks.h"
#include "deid/phi_tokens.h"
#include "deid/uid_remap.h"

namespace obia::deid {
namespace {

enum class Strength { None, Weak, Strong, Patient };

bool ends_with_any(std::string_view s, std::initializer_list<std::string_view> tails) {
  for (std::string_view t : tails) {
    if (s.ends_with(t)) return true;
  }
  return false;
}

bool contains_any(std::string_view s, std::initializer_list<std::string_view> parts) {
  for (std::string_view p : parts) {
    if (s.find(p) != std::string_view::npos) return true;
  }
  return false;
}

Strength strength_of(const DcmTagKey& tag, DcmEVR vr, const Rule* rule, Treatment t) {
  if (vr == EVR_TM) return Strength::None;
  if (t == Treatment::Accession) return Strength::Patient;
  if (vr == EVR_PN) return tag.getGroup() == 0x0010 ? Strength::Patient : Strength::Strong;
  if (rule == nullptr || rule->scope != RuleScope::Tag) {
    // Not in the table: only what is identifying by its VR.
    return vr == EVR_DA || vr == EVR_DT || vr == EVR_UI ? Strength::Weak : Strength::None;
  }
  if (is_descriptor_row(*rule) || is_characteristic_row(*rule)) return Strength::None;
  if (vr == EVR_SQ || is_binary_number_vr(vr) || vr == EVR_OB) return Strength::None;
  const std::string_view kw = rule->keyword;
  // Issuers, UIDs and device identifiers name organisations, objects and machines.
  if (kw.find("Issuer") != std::string_view::npos || ends_with_any(kw, {"UID", "UIDs"}) ||
      option_cell(*rule, Option::RetainDeviceIdentity) != Action::None) {
    return Strength::Weak;
  }
  if (tag.getGroup() == 0x0010) return Strength::Patient;  // Patient module
  if (ends_with_any(kw, {"ID", "IDs", "Number", "Numbers"}) ||
      contains_any(kw, {"Address", "Telephone", "EMail", "Email"})) {
    return Strength::Strong;
  }
  return Strength::Weak;
}

// DA/DT values yield their dates, not their times or UTC offsets (which a whole-day shift
// keeps): YYYYMMDD of every value and range end, and for DT also the full digit run.
std::vector<std::string> date_tokens(std::string_view text) {
  std::vector<std::string> out;
  std::string digits;
  auto flush = [&] {
    if (digits.size() >= 8) {
      out.push_back(digits.substr(0, 8));
      if (digits.size() > 8) out.push_back(digits);
    }
    digits.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c >= '0' && c <= '9') {
      digits.push_back(c);
    } else if (c == '.' && (digits.size() == 4 || digits.size() == 6)) {
      continue;  // ACR-NEMA YYYY.MM.DD
    } else {
      flush();  // fractions and UTC offsets are shorter than 8 digits and drop out here
    }
  }
  flush();
  return out;
}

class Collector {
 public:
  Collector(const Policy& policy, int date_offset, IdentifyingSet& out)
      : policy_(policy), date_offset_(date_offset), out_(out) {}

  void walk(DcmItem& item, Context context, bool removed_subtree) {
    for (DcmElement* elem : elements_of(item)) {
      const DcmTagKey tag = elem->getTag();
      const DcmEVR vr = effective_vr(*elem);
      path_.push(tag);
      if (tag.getGroup() & 1) {
        // Private values: only names and dates count (they are removed unless numeric).
        if (elem->ident() == EVR_SQ) {
          walk_items(*elem, context, true);
        } else if (vr == EVR_PN || vr == EVR_DA || vr == EVR_DT) {
          add_changed(*elem, tag, vr, nullptr, Treatment::Remove, true);
        }
      } else {
        const Decision d = decide(policy_, tag, vr, context, path_.depth() > 1);
        visit(*elem, tag, vr, d, context, removed_subtree);
      }
      path_.pop();
    }
  }

  void walk_meta(DcmItem& meta) {
    for (DcmElement* elem : elements_of(meta)) {
      const DcmTagKey tag = elem->getTag();
      const Decision d = decide_meta(policy_, tag);
      path_.push(tag);
      if (d.treatment == Treatment::RemapUid) {
        add_changed(*elem, tag, EVR_UI, d.rule, d.treatment, true);
      } else if (d.treatment == Treatment::Keep) {
        add_retained(*elem, EVR_UI, false);
      }
      path_.pop();
    }
  }

  void finish(std::string_view accession) {
    // What the engine writes itself (dummies, marks) is the same for every file: tokenised once.
    static const std::unordered_set<std::string> ours = [] {
      std::unordered_set<std::string> w;
      for (const std::string& v : dummy_texts())
        for (std::string& t : tokenize(v)) w.insert(std::move(t));
      for (const std::string& v : mark_texts())
        for (std::string& t : tokenize(v)) w.insert(std::move(t));
      return w;
    }();
    const std::vector<std::string> accession_tokens = tokenize(accession);
    auto written = [&](const std::string& t) {
      return ours.count(t) || std::find(accession_tokens.begin(), accession_tokens.end(), t) !=
                                  accession_tokens.end();
    };
    for (auto& [token, info] : tokens_) {
      if (written(token) || written_dates_.count(token)) continue;
      if (retained_codes_.count(token)) continue;
      if (info.strength <= Strength::Strong && retained_by_option_.count(token)) continue;
      if (info.strength == Strength::Weak && retained_.count(token)) continue;
      out_.values.tokens.push_back(token);
      out_.values.tag_of.push_back(info.path);
    }
  }

 private:
  struct TokenInfo {
    Strength strength;
    std::string path;
  };

  void walk_items(DcmElement& elem, Context context, bool removed_subtree) {
    auto& seq = static_cast<DcmSequenceOfItems&>(elem);
    long i = 0;
    for (DcmItem* it : items_of(seq)) {
      path_.set_item(i++);
      walk(*it, context, removed_subtree);
    }
  }

  void visit(DcmElement& elem, const DcmTagKey& tag, DcmEVR vr, const Decision& d, Context context,
             bool removed_subtree) {
    const bool is_seq = elem.ident() == EVR_SQ;
    if (removed_subtree) {
      if (is_seq) {
        walk_items(elem, context, true);
      } else {
        add_changed(elem, tag, vr, d.rule, d.treatment, true);
      }
      return;
    }
    switch (d.treatment) {
      case Treatment::Keep:
        add_retained(elem, vr, d.rule != nullptr);
        break;
      case Treatment::Recurse:
      case Treatment::DummyItems:
      case Treatment::CleanItems:
        if (is_seq) walk_items(elem, context_for_items(d.treatment, context), false);
        break;
      case Treatment::Remove:
      case Treatment::Empty:
      case Treatment::Dummy:
        if (is_seq) {
          walk_items(elem, context, true);
        } else {
          add_changed(elem, tag, vr, d.rule, d.treatment, true);
        }
        break;
      case Treatment::CleanText:
        add_changed(elem, tag, vr, d.rule, d.treatment, false);  // may be removed: removed only
        break;
      case Treatment::ShiftDate:
        note_shifted(elem, vr);
        add_changed(elem, tag, vr, d.rule, d.treatment, true);
        break;
      case Treatment::RemapUid:
      case Treatment::PseudonymAE:
      case Treatment::Accession:
        add_changed(elem, tag, vr, d.rule, d.treatment, true);
        break;
      case Treatment::SafePrivate:
        break;
    }
  }

  void add_changed(DcmElement& elem, const DcmTagKey& tag, DcmEVR vr, const Rule* rule, Treatment t,
                   bool as_tokens) {
    std::string text;
    if (!value_text(elem, text)) return;
    if (vr == EVR_UI) {
      // Registry UIDs are never changed; only instance UIDs identify.
      std::string kept;
      for (std::string_view rest = text;;) {
        const auto sep = rest.find('\\');
        const std::string_view uid = rest.substr(0, sep);
        if (!is_registry_uid(uid)) kept.append(uid).push_back('\\');
        if (sep == std::string_view::npos) break;
        rest.remove_prefix(sep + 1);
      }
      text = kept;
    }
    add_removed_values(text);
    if (!as_tokens) return;
    const Strength s = strength_of(tag, vr, rule, t);
    if (s == Strength::None) return;
    std::vector<std::string> tokens =
        (vr == EVR_DA || vr == EVR_DT) ? date_tokens(text) : tokenize(text);
    if (vr == EVR_PN) {
      for (std::string& phrase : name_phrases(text)) tokens.push_back(std::move(phrase));
    }
    for (std::string& token : tokens) {
      auto [it, inserted] = tokens_.try_emplace(std::move(token), TokenInfo{s, std::string()});
      if (inserted) it->second.path = path_.str();
      if (s > it->second.strength) it->second.strength = s;
    }
  }

  // A shifted date may equal another original date (two dates exactly `offset` days apart);
  // what we write ourselves cannot count as a residual.
  void note_shifted(DcmElement& elem, DcmEVR vr) {
    std::string text;
    if (!value_text(elem, text)) return;
    const auto shifted = vr == EVR_DT ? shift_datetime_value(text, date_offset_)
                                      : shift_date_value(text, date_offset_);
    if (!shifted) return;
    for (std::string& t : date_tokens(*shifted)) written_dates_.insert(std::move(t));
  }

  void add_removed_values(std::string_view text) {
    for (std::string_view rest = text;;) {
      const auto sep = rest.find('\\');
      std::string_view v = rest.substr(0, sep);
      while (!v.empty() && (v.back() == ' ' || v.back() == '\0')) v.remove_suffix(1);
      while (!v.empty() && v.front() == ' ') v.remove_prefix(1);
      if (v.size() >= kMinTokenLength) out_.removed.insert(fold_case(v));
      if (sep == std::string_view::npos) break;
      rest.remove_prefix(sep + 1);
    }
  }

  // Kept values cancel weak tokens. Values kept by an option's K (institution, device,
  // characteristics) also cancel strong ones: a physician named like the retained institution
  // is no leak of anything the profile did not decide to keep. Kept codes (CS values, code
  // values and coding scheme designators; not code meanings, which are free text) cancel every
  // token: a defined term such as "TEXT" or "HEAD" in the output is no evidence that a name of the
  // same spelling leaked.
  void add_retained(DcmElement& elem, DcmEVR vr, bool by_option) {
    std::string text;
    if (!value_text(elem, text)) return;
    const DcmTagKey tag = elem.getTag();
    const bool code =
        vr == EVR_CS || tag == DcmTagKey(0x0008, 0x0100) || tag == DcmTagKey(0x0008, 0x0102);
    for (std::string& token : tokenize(text)) {
      if (code) retained_codes_.insert(token);
      if (by_option) retained_by_option_.insert(token);
      retained_.insert(std::move(token));
    }
  }

  const Policy& policy_;
  int date_offset_;
  IdentifyingSet& out_;
  TagPath path_;
  std::map<std::string, TokenInfo> tokens_;
  std::unordered_set<std::string> retained_;
  std::unordered_set<std::string> retained_codes_;
  std::unordered_set<std::string> retained_by_option_;
  std::unordered_set<std::string> written_dates_;
};

}  // namespace

IdentifyingSet collect_identifying(DcmFileFormat& file, const Policy& policy,
                                   std::string_view accession, int date_offset_days) {
  IdentifyingSet out;
  Collector c(policy, date_offset_days, out);
  if (DcmMetaInfo* meta = file.getMetaInfo()) c.walk_meta(*meta);
  if (DcmDataset* ds = file.getDataset()) c.walk(*ds, Context::Normal, false);
  c.finish(accession);
  return out;
}

}  // namespace obia::deid
