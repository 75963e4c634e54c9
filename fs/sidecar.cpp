// JSON sidecars, participants.tsv and the root README. Content comes from the catalog only
// (already de-identified values); keys are sorted, so content is stable between reads.
#include "fs/sidecar.h"

#include <nlohmann/json.hpp>
#include <set>

namespace obia::fs {
namespace {

using nlohmann::json;

void add_public_attrs(json& j, const index::Node& n) {
  for (auto& [k, v] : n.attrs)
    if (!k.empty() && k[0] != '_' && k.rfind("clinical.", 0) != 0) j[k] = v;
}

json clinical(const index::Node& n) {
  json j = json::object();
  for (auto& [k, v] : n.attrs)
    if (k.rfind("clinical.", 0) == 0) j[k.substr(9)] = v;
  return j;
}

struct Counts {
  uint64_t individuals = 0, studies = 0, series = 0, images = 0;
  std::set<std::string> modalities;
};

// Counts below `id` by walking the catalog (folders are small next to images: one listing each).
Status count_below(const index::Catalog& c, const index::Node& n, Counts& out) {
  auto kids = c.children(n.id);
  if (!kids) return kids.error();
  for (auto& k : *kids) {
    switch (k.kind()) {
      case index::Kind::Individual: ++out.individuals; break;
      case index::Kind::Study: ++out.studies; break;
      case index::Kind::Series:
        ++out.series;
        if (!k.attr("modality").empty()) out.modalities.insert(k.attr("modality"));
        // The commit keeps each series' image count: no need to list its images.
        if (auto t = index::stored_totals(k)) {
          out.images += t->images;
          continue;
        }
        break;
      case index::Kind::Image: ++out.images; continue;
      default: break;
    }
    OBIA_TRY(count_below(c, k, out));
  }
  return {};
}

json counts_json(const Counts& k, bool individuals, bool studies, bool series) {
  json j;
  if (individuals) j["individuals"] = k.individuals;
  if (studies) j["studies"] = k.studies;
  if (series) j["series"] = k.series;
  j["images"] = k.images;
  return j;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    size_t end = s.find(sep, start);
    std::string part = s.substr(start, end == std::string::npos ? std::string::npos : end - start);
    size_t a = part.find_first_not_of(' '), b = part.find_last_not_of(' ');
    if (a != std::string::npos) out.push_back(part.substr(a, b - a + 1));
    if (end == std::string::npos) break;
    start = end + 1;
  }
  return out;
}

std::string tsv_field(std::string v) {
  for (char& ch : v)
    if (ch == '\t' || ch == '\n' || ch == '\r') ch = ' ';
  return v.empty() ? "n/a" : v;  // BIDS writes n/a for missing values
}

}  // namespace

std::string sidecar_name(index::Kind kind) {
  switch (kind) {
    case index::Kind::Collection: return "collection.json";
    case index::Kind::Individual: return "individual.json";
    case index::Kind::Study: return "study.json";
    case index::Kind::Series: return "series.json";
    default: return "";
  }
}

Result<std::string> sidecar_content(const index::Catalog& catalog, index::NodeId parent) {
  auto n = catalog.get(parent);
  if (!n) return n.error();
  json j;
  Counts k;
  OBIA_TRY(count_below(catalog, *n, k));
  switch (n->kind()) {
    case index::Kind::Collection: {
      j["accession"] = n->accession;
      for (const char* key : {"title", "description", "disease", "access"}) j[key] = n->attr(key);
      j["keywords"] = split(n->attr("keywords"), ',');
      j["submitter"] = n->attr("submitter").empty() ? n->attr("owner") : n->attr("submitter");
      json links = json::object();
      for (auto& [key, v] : n->attrs)
        if (key.rfind("link.", 0) == 0) links[key.substr(5)] = v;
      j["links"] = links;
      j["counts"] = counts_json(k, true, true, true);
      j["modalities"] = k.modalities;
      break;
    }
    case index::Kind::Individual: {
      j["accession"] = n->accession;
      j["sex"] = n->attr("sex");
      if (!n->attr("age").empty()) j["age_at_first_study"] = std::stoi(n->attr("age"));
      else j["age_at_first_study"] = nullptr;
      j["clinical"] = clinical(*n);
      j["counts"] = counts_json(k, false, true, true);
      j["modalities"] = k.modalities;
      break;
    }
    case index::Kind::Study: {
      j["accession"] = n->accession;
      j["study_instance_uid"] = n->uid;
      j["description"] = n->attr("description");
      j["date"] = n->attr("date");  // shifted
      j["age_at_study"] = n->attr("age");
      j["sex"] = n->attr("sex");
      j["modalities"] = k.modalities;
      j["counts"] = counts_json(k, false, false, true);
      auto series = catalog.children(parent);
      if (series.ok()) {
        json names = json::array();
        for (auto& s : *series) names.push_back(s.name);
        j["series"] = names;
      }
      break;
    }
    case index::Kind::Series: {
      j["series_instance_uid"] = n->uid;
      add_public_attrs(j, *n);
      j["counts"] = counts_json(k, false, false, false);
      // Attributes with the same value in every image, in the DICOM JSON model (PS3.18 F.2).
      auto common = json::parse(n->attr("_common"), nullptr, false);
      j["attributes"] = common.is_object() ? common : json::object();
      break;
    }
    default:
      return make_error(ENOENT, "no sidecar");
  }
  // Replace, never throw: one file with text in another character set must not make a folder
  // unreadable (the catalog holds UTF-8 since ingest converts, but older entries may not).
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<std::string> participants_tsv(const index::Catalog& catalog, index::NodeId collection) {
  auto individuals = catalog.children(collection);
  if (!individuals) return individuals.error();
  std::set<std::string> columns;
  for (auto& i : *individuals)
    for (auto& [k, v] : i.attrs)
      if (k.rfind("clinical.", 0) == 0) columns.insert(k.substr(9));
  std::string out = "participant_id\tsex\tage";
  for (auto& c : columns) out += "\t" + tsv_field(c);
  out += "\n";
  for (auto& i : *individuals) {
    out += i.accession + "\t" + tsv_field(i.attr("sex")) + "\t" + tsv_field(i.attr("age"));
    for (auto& c : columns) out += "\t" + tsv_field(i.attr("clinical." + c));
    out += "\n";
  }
  return out;
}

const std::string& readme_text() {
  static const std::string text =
      "OBIA - open biomedical imaging archive\n"
      "======================================\n\n"
      "Every image here is de-identified (DICOM PS3.15 Annex E) before anyone sees it.\n\n"
      "Tree:\n"
      "  OBIA0001/                      a collection (collection.json describes it,\n"
      "                                 participants.tsv lists its individuals)\n"
      "    I000001/                     an individual (pseudonymous accession; individual.json)\n"
      "      S00000001/                 a study (study.json: shifted date, age, modalities)\n"
      "        001_CT/                  a series: SeriesNumber_Modality (series.json)\n"
      "          000001.dcm             images, in InstanceNumber order\n"
      "          similar/000001/        links to the 30 images most like 000001.dcm that you may\n"
      "                                 read, nearest first (NN_dDD_...: rank, Hamming distance)\n"
      "          .qc/contact.png        curators only: a contact sheet of the series (also\n"
      "                                 OBIA0001/.qc/tags.tsv, the collection's tag report)\n"
      "  similar/                       query by example: cp FILE.dcm|.png|.jpg similar/, then\n"
      "                                 similar/FILE.results/ holds the ranked links (the query\n"
      "                                 is de-identified in memory, never archived, and\n"
      "                                 forgotten after one hour)\n"
      "  stats.json                     counts by collection, modality, body part, sex, age band\n"
      "  query/                         search as paths:\n"
      "    query/                       lists the search keys\n"
      "    query/modality=/             lists the values present, with counts\n"
      "    query/modality=CT&bodypart=CHEST&sex=F&age=40-60/\n"
      "                                 links to the matching series (terms joined by &;\n"
      "                                 age takes A-B ranges; keys: collection, modality,\n"
      "                                 bodypart, sex, age, disease, manufacturer, studyyear,\n"
      "                                 accession, and imported clinical columns)\n"
      "  inbox/OBIA0001/                curators copy DICOM files here (cp -r DIR inbox/OBIA0001/);\n"
      "                                 files vanish from the inbox once archived\n"
      "  quarantine/OBIA0001/           rejected files, each with NAME.reason (why, how to fix)\n"
      "  requests/OBIA0001              ask for access to a controlled collection (see\n"
      "                                 requests/TERMS.txt); read it back for the status\n\n"
      "Dates are shifted per individual; ages are kept. Controlled collections show only their\n"
      "collection.json to those without access. Everything outside inbox/ and requests/ is\n"
      "read-only. Admins: obiactl --help.\n";
  return text;
}

const std::string& terms_text() {
  static const std::string text =
      "Terms of access to controlled OBIA collections\n"
      "==============================================\n\n"
      "By requesting access you agree:\n"
      "  1. not to attempt to re-identify any individual, nor to link the data with other data\n"
      "     for that purpose;\n"
      "  2. to use the data only for the purpose you state;\n"
      "  3. not to redistribute the data, and to keep it secure;\n"
      "  4. to report to the collection's owner any identifying information you find.\n\n"
      "To ask, write a file at requests/<COLLECTION> with your purpose and your acceptance:\n\n"
      "  printf 'purpose: train a nodule detector\\naccept-terms: yes\\n' > requests/OBIA0001\n\n"
      "Read the same file back for the status of your request. The owner decides with\n"
      "obiactl request approve|deny. Every open of an image is logged.\n";
  return text;
}

}  // namespace obia::fs
