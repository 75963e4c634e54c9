// obia-deid-table: prints Table E.1-1 as the engine implements it (every row, its codes, and what
// a profile does with it) in Markdown; with --splice FILE it replaces the generated section of
// docs/deid-conformance.md in place.
#include <dcmtk/dcmdata/dctag.h>

#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "deid/dummy_values.h"
#include "deid/iod_type.h"
#include "deid/policy.h"
#include "deid/rule_table.h"

namespace {

using namespace obia::deid;

constexpr std::string_view kBegin = "<!-- BEGIN GENERATED: obia-deid-table -->";
constexpr std::string_view kEnd = "<!-- END GENERATED: obia-deid-table -->";

// The VR the row's attribute has: DCMTK's dictionary, or the keyword for newer attributes.
DcmEVR vr_of(const Rule& r) {
  if (r.scope == RuleScope::Private) return EVR_UN;
  if (r.scope == RuleScope::CurveGroup) return EVR_US;
  const DcmEVR known = DcmTag(r.group, r.element).getEVR();
  if (known != EVR_UNKNOWN && known != EVR_UN) return known;
  const std::string_view kw = r.keyword;
  if (kw.ends_with("Sequence")) return EVR_SQ;
  if (kw.ends_with("DateTime")) return EVR_DT;
  if (kw.ends_with("Date")) return EVR_DA;
  if (kw.ends_with("Time")) return EVR_TM;
  if (kw.ends_with("UID")) return EVR_UI;
  return EVR_LO;
}

std::string describe(const Decision& d, DcmEVR vr, const Rule& r) {
  switch (d.treatment) {
    case Treatment::Keep:
      return "kept";
    case Treatment::Recurse:
      return "kept, items processed";
    case Treatment::Remove:
      return "removed";
    case Treatment::Empty:
      return vr == EVR_SQ ? "emptied (no items)" : "emptied";
    case Treatment::Dummy: {
      const auto text = dummy_text(vr, DcmTagKey(r.group, r.element));
      return text                             ? "dummy `" + *text + "`"
             : (vr == EVR_OB || vr == EVR_OW) ? "dummy 2 zero bytes"
                                              : "dummy 0";
    }
    case Treatment::DummyItems:
      return "kept, text inside made dummy";
    case Treatment::CleanText: {
      Decision f = d;
      f.treatment = d.fallback;
      return "kept if clean, else " + describe(f, vr, r);
    }
    case Treatment::CleanItems:
      return "kept, text inside cleaned";
    case Treatment::RemapUid:
      return "UID remapped";
    case Treatment::ShiftDate:
      return "date shifted";
    case Treatment::PseudonymAE:
      return "AE pseudonym";
    case Treatment::SafePrivate:
      return "kept only if a safe number";
    case Treatment::Accession:
      return "individual accession";
  }
  return "";
}

std::string what_obia_does(const Rule& r, const Profile& p) {
  const DcmEVR vr = vr_of(r);
  const DcmTagKey tag = r.scope == RuleScope::Private      ? DcmTagKey(0x0019, 0x1001)
                        : r.scope == RuleScope::CurveGroup ? DcmTagKey(0x5000, 0x0005)
                                                           : DcmTagKey(r.group, r.element);
  if (r.group == 0x0002) return describe(decide_meta(Policy{p, IodContext{}}, tag), vr, r);
  IodContext plain;
  plain.sop_class_uid = "1.2.840.10008.5.1.4.1.1.2";
  const std::string top =
      describe(decide(Policy{p, plain}, tag, vr, Context::Normal, false), vr, r);
  std::string out = top;
  IodContext sr = plain, enhanced = plain, rt = plain, waveform = plain, annotation = plain,
             cir = plain;
  sr.structured_report = true;
  enhanced.enhanced = true;
  rt.radiotherapy = true;
  waveform.waveform = true;
  annotation.annotation = true;
  cir.references_instances = true;
  const std::pair<const char*, IodContext> variants[] = {
      {"in SR", sr},
      {"in enhanced objects", enhanced},
      {"in RT objects", rt},
      {"in waveforms", waveform},
      {"in annotations", annotation},
      {"with a Common Instance Reference", cir},
  };
  for (const auto& [label, iod] : variants) {
    const std::string v = describe(decide(Policy{p, iod}, tag, vr, Context::Normal, false), vr, r);
    if (v != top) out += std::string("; ") + label + ": " + v;
  }
  const std::string nested =
      describe(decide(Policy{p, plain}, tag, vr, Context::Normal, true), vr, r);
  if (nested != top) out += "; inside a sequence: " + nested;
  return out;
}

std::string escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '|')
      out += "\\|";
    else
      out.push_back(c);
  }
  return out;
}

std::string table(const Profile& p) {
  static constexpr const char* kAbbrev[kOptionColumns] = {"RSP",  "UID", "Dev",  "Inst", "Char",
                                                          "Full", "Mod", "Desc", "SC",   "Gr"};
  std::ostringstream o;
  o << kBegin << "\n\n";
  o << "Profile: `" << p.to_string() << "`; " << rules().size() << " rows of Table E.1-1 ("
    << annex_e_edition() << ").\n\n";
  o << "| Tag | Attribute | Basic | Option cells | Profile code | What OBIA does |\n";
  o << "|---|---|---|---|---|---|\n";
  for (const Rule& r : rules()) {
    std::string cells;
    for (std::size_t c = 0; c < kOptionColumns; ++c) {
      const Action a = r.option[c];
      if (a == Action::None) continue;
      if (!cells.empty()) cells += " ";
      cells += std::string(kAbbrev[c]) + ":" + std::string(action_code(a));
    }
    o << "| " << escape(r.tag) << " | " << escape(r.name) << (r.retired ? " (retired)" : "")
      << " | " << escape(action_code(r.basic)) << " | " << cells << " | "
      << escape(action_code(effective_action(r, p))) << " | " << escape(what_obia_does(r, p))
      << " |\n";
  }
  o << "\n" << kEnd;
  return o.str();
}

}  // namespace

int main(int argc, char** argv) {
  std::string profile_text = "default";
  std::string splice;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--splice" && i + 1 < argc) {
      splice = argv[++i];
    } else if (a == "--profile" && i + 1 < argc) {
      profile_text = argv[++i];
    } else {
      std::cerr << "usage: obia-deid-table [--profile NAMES] [--splice FILE.md]\n";
      return 2;
    }
  }
  const auto profile = Profile::parse(profile_text);
  if (!profile.ok()) {
    std::cerr << profile.error().message << "\n";
    return 2;
  }
  const std::string generated = table(*profile);
  if (splice.empty()) {
    std::cout << generated << "\n";
    return 0;
  }
  std::ifstream in(splice);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string doc = buf.str();
  const auto b = doc.find(kBegin);
  const auto e = doc.find(kEnd);
  if (b == std::string::npos || e == std::string::npos || e < b) {
    std::cerr << splice << ": generated-section markers not found\n";
    return 1;
  }
  doc.replace(b, e + kEnd.size() - b, generated);
  std::ofstream(splice) << doc;
  return 0;
}
