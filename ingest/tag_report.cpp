// Tag report: walk every archived object of a collection (values loaded lazily, pixel data
// never), count per tag path, and flag values that look like PHI.
#include "ingest/tag_report.h"

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcmetinf.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <map>
#include <regex>
#include <set>
#include <unordered_map>

#include "deid/dicom_value.h"

namespace obia::ingest {
namespace {

constexpr size_t kMaxDistinct = 100000;  // per tag; beyond that "100000+"
constexpr size_t kValueChars = 40;       // shown per value
constexpr Uint32 kLazyLength = 256;      // longer values stay on disk unless asked for

struct TagStats {
  std::string keyword, vr;
  uint64_t files = 0;
  size_t last_file = SIZE_MAX;
  std::unordered_map<uint64_t, uint64_t> counts;     // value hash -> occurrences
  std::unordered_map<uint64_t, std::string> sample;  // value hash -> shown text
  bool overflow = false;
  bool binary = false;
  std::set<std::string> flags;
};

std::string tag_text(const DcmTagKey& t) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "(%04X,%04X)", t.getGroup(), t.getElement());
  return buf;
}

std::string shown(std::string v) {
  for (char& c : v)
    if (c == '\t' || c == '\n' || c == '\r') c = ' ';
  if (v.size() > kValueChars) v = v.substr(0, kValueChars) + "...";
  return v;
}

bool is_binary_vr(DcmEVR vr) {
  switch (vr) {
    case EVR_OB:
    case EVR_OW:
    case EVR_OF:
    case EVR_OD:
    case EVR_OL:
    case EVR_OV:
    case EVR_UN:
    case EVR_ox:
    case EVR_px:
    case EVR_pixelSQ:
    case EVR_PixelData:
    case EVR_OverlayData:
      return true;
    default:
      return false;
  }
}

// Text of a short binary value when it is mostly printable (private text read as UN).
std::optional<std::string> printable(DcmElement& e) {
  if (e.getLength() == 0 || e.getLength() > kLazyLength) return std::nullopt;
  Uint8* p = nullptr;
  if (e.getUint8Array(p).bad() || p == nullptr) return std::nullopt;
  size_t good = 0, n = e.getLength();
  std::string s;
  for (size_t i = 0; i < n; ++i) {
    const unsigned char c = p[i];
    if (c == 0 && i + 1 == n) break;  // padding
    if (std::isprint(c)) ++good;
    s.push_back(std::isprint(c) ? char(c) : '.');
  }
  if (good * 10 < n * 9) return std::nullopt;
  while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

class Walker {
 public:
  std::map<std::string, TagStats> stats;
  size_t file_index = 0;

  void walk(DcmItem& item, const std::string& prefix) {
    for (DcmElement* e : deid::elements_of(item)) {
      const DcmTag tag = e->getTag();
      const std::string path = prefix + tag_text(tag);
      TagStats& st = stats[path];
      if (st.keyword.empty()) {
        st.keyword = keyword_of(tag);
        st.vr = DcmVR(e->getVR()).getVRName();
      }
      if (st.last_file != file_index) {
        st.last_file = file_index;
        ++st.files;
      }
      if (e->ident() == EVR_SQ) {
        auto* sq = static_cast<DcmSequenceOfItems*>(e);
        count(st, std::to_string(sq->card()) + " item(s)");
        for (DcmItem* sub : deid::items_of(*sq)) walk(*sub, path + ">");
        continue;
      }
      if (is_binary_vr(e->ident())) {
        if (auto text = printable(*e)) {
          count(st, *text);
          flag(st, *text);
        } else {
          st.binary = true;
          count(st, "<" + std::to_string(e->getLength()) + " bytes>");
        }
        continue;
      }
      if (e->getVM() > 32) {  // long numeric arrays (LUTs, positions): not values to review
        count(st, "<" + std::to_string(e->getVM()) + " values>");
        continue;
      }
      OFString v;
      if (e->getOFStringArray(v).bad()) continue;
      std::string value(v.c_str());
      count(st, value);
      flag(st, value);
    }
  }

 private:
  static std::string keyword_of(DcmTag tag) {  // getTagName() is not const
    std::string name = tag.getTagName();
    if (name == "Unknown Tag & Data" || name == DcmTag_ERROR_TagName) name.clear();
    if (tag.isPrivate()) {
      const char* creator = tag.getPrivateCreator();
      std::string out = "private";
      if (creator != nullptr && *creator) out += ":" + std::string(creator);
      if (!name.empty() && name != "PrivateCreator") out += ":" + name;
      if (tag.getElement() >= 0x0010 && tag.getElement() <= 0x00FF) out = "PrivateCreator";
      return out;
    }
    return name.empty() ? "unknown" : name;
  }

  void count(TagStats& st, const std::string& value) {
    const uint64_t h = std::hash<std::string>{}(value);
    auto it = st.counts.find(h);
    if (it != st.counts.end()) {
      ++it->second;
      return;
    }
    if (st.counts.size() >= kMaxDistinct) {
      st.overflow = true;
      return;
    }
    st.counts.emplace(h, 1);
    st.sample.emplace(h, shown(value));
  }

  void flag(TagStats& st, const std::string& value) {
    if (value.empty() || st.flags.size() >= 5) return;
    std::string f = phi_flags(st.vr, value);
    size_t start = 0;
    while (start < f.size()) {
      size_t comma = f.find(',', start);
      st.flags.insert(f.substr(start, comma - start));
      start = comma == std::string::npos ? f.size() : comma + 1;
    }
  }
};

bool any_letter(std::string_view s) {
  return std::any_of(s.begin(), s.end(), [](unsigned char c) { return std::isalpha(c); });
}

size_t digits(std::string_view s) {
  return std::count_if(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

bool accession_like(std::string_view s) {  // I000001, OBIA0001, S00000001: our own pseudonyms
  static const std::regex re("^[A-Z]{1,8}[0-9]{4,}$");
  return std::regex_match(s.begin(), s.end(), re);
}

}  // namespace

std::string phi_flags(std::string_view vr, std::string_view value) {
  static const std::regex date_re(
      R"((^|[^0-9])(19|20)[0-9]{2}[-/.]?(0[1-9]|1[0-2])[-/.]?(0[1-9]|[12][0-9]|3[01])([^0-9]|$)|(^|[^0-9])[0-9]{1,2}[/.][0-9]{1,2}[/.](19|20)?[0-9]{2}([^0-9]|$))");
  static const std::regex id_re(R"((^|[^A-Za-z0-9])[A-Za-z]{0,6}[-#]?[0-9]{6,}([^0-9]|$))");
  static const std::regex street_re(
      R"((strasse|straße|str\.|street|st\.|road|rd\.|avenue|ave\.|weg|gasse|allee|platz|lane|ul\.|boulevard|blvd)( |,|$))",
      std::regex::icase);
  static const std::regex postcode_re(R"((^|[ ,])([0-9]{5}|[0-9]{2}-[0-9]{3}) [A-Z][a-z]+)");
  static const std::regex phone_re(R"((^|[^0-9])\+?[0-9][0-9 ()./-]{6,}[0-9]([^0-9]|$))");
  static const std::regex caret_name_re(R"([A-Za-z]{2,}\^[A-Za-z]{2,})");

  std::vector<std::string> out;
  const bool numeric_vr = vr == "DS" || vr == "IS" || vr == "UI" || vr == "US" || vr == "SS" ||
                          vr == "UL" || vr == "SL" || vr == "FL" || vr == "FD" || vr == "AT" ||
                          vr == "TM" || vr == "UV" || vr == "SV";
  const std::string v(value);
  if ((vr == "PN" && any_letter(v) && !accession_like(v)) ||
      (vr != "PN" && std::regex_search(v, caret_name_re)))
    out.push_back("name");
  if (vr == "DA" || vr == "DT" || (!numeric_vr && std::regex_search(v, date_re)))
    out.push_back("date");
  if (!numeric_vr && vr != "DA" && vr != "DT" && !accession_like(v) && std::regex_search(v, id_re))
    out.push_back("id");
  if (!numeric_vr && any_letter(v) && digits(v) > 0 &&
      (std::regex_search(v, street_re) || std::regex_search(v, postcode_re)))
    out.push_back("address");
  if (!numeric_vr && vr != "DA" && vr != "DT" && digits(v) >= 7 && std::regex_search(v, phone_re) &&
      v.find_first_of("+-() ") != std::string::npos)
    out.push_back("phone");
  std::string s;
  for (const auto& f : out) s += (s.empty() ? "" : ",") + f;
  return s;
}

Result<std::string> tag_report_tsv(const index::Catalog& catalog, const store::ObjectStore& objects,
                                   index::NodeId collection) {
  Walker w;
  size_t files = 0;
  std::function<Status(index::NodeId)> visit = [&](index::NodeId parent) -> Status {
    auto kids = catalog.children(parent);
    if (!kids) return kids.error();
    for (const index::Node& n : *kids) {
      if (n.kind() != index::Kind::Image) {
        OBIA_TRY(visit(n.id));
        continue;
      }
      DcmFileFormat file;
      const std::string path = objects.path_of(n.object).string();
      if (file.loadFile(path.c_str(), EXS_Unknown, EGL_noChange, kLazyLength).bad())
        return make_error(EIO, "cannot read archived object of " + n.name);
      w.file_index = files++;
      w.walk(*file.getMetaInfo(), "");
      w.walk(*file.getDataset(), "");
    }
    return {};
  };
  OBIA_TRY(visit(collection));

  std::string out = "tag\tkeyword\tvr\tfiles\tdistinct\ttop_values\tflags\n";
  for (auto& [path, st] : w.stats) {
    std::vector<std::pair<uint64_t, uint64_t>> top(st.counts.begin(), st.counts.end());
    std::sort(top.begin(), top.end(), [&](const auto& a, const auto& b) {
      return a.second != b.second ? a.second > b.second : st.sample[a.first] < st.sample[b.first];
    });
    std::string values;
    for (size_t k = 0; k < top.size() && k < 3; ++k) {
      if (k) values += " | ";
      values += st.sample[top[k].first] + " (" + std::to_string(top[k].second) + ")";
    }
    std::string flags;
    for (const auto& f : st.flags) flags += (flags.empty() ? "" : ",") + f;
    out += path + "\t" + st.keyword + "\t" + st.vr + "\t" + std::to_string(st.files) + "\t" +
           (st.overflow ? std::to_string(kMaxDistinct) + "+" : std::to_string(st.counts.size())) +
           "\t" + values + "\t" + flags + "\n";
  }
  return out;
}

}  // namespace obia::ingest
