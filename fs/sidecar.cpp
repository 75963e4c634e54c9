// Minimal JSON sidecars (the metadata issue extends them) and the root README.
#include "fs/sidecar.h"

#include <nlohmann/json.hpp>

namespace obia::fs {
namespace {

void add_public_attrs(nlohmann::json& j, const index::Node& n) {
  for (auto& [k, v] : n.attrs)
    if (!k.empty() && k[0] != '_') j[k] = v;  // '_' marks catalog-internal attributes
}

}  // namespace

std::string sidecar_name(index::Kind kind) {
  switch (kind) {
    case index::Kind::Collection: return "collection.json";
    case index::Kind::Study: return "study.json";
    case index::Kind::Series: return "series.json";
    default: return "";
  }
}

Result<std::string> sidecar_content(const index::Catalog& catalog, index::NodeId parent) {
  auto n = catalog.get(parent);
  if (!n) return n.error();
  nlohmann::json j;
  switch (n->kind()) {
    case index::Kind::Collection: {
      j["accession"] = n->accession;
      add_public_attrs(j, *n);
      auto counters = catalog.counters(parent);
      auto individuals = catalog.children(parent);
      if (counters.ok()) {
        j["counts"] = {{"individuals", individuals.ok() ? individuals->size() : 0},
                       {"images", counters->archived},
                       {"submitted", counters->submitted},
                       {"duplicates", counters->duplicates},
                       {"quarantined", counters->quarantined}};
      }
      break;
    }
    case index::Kind::Study: {
      j["accession"] = n->accession;
      j["study_instance_uid"] = n->uid;
      add_public_attrs(j, *n);
      auto series = catalog.children(parent);
      if (series.ok()) {
        nlohmann::json names = nlohmann::json::array();
        for (auto& s : *series) names.push_back(s.name);
        j["series"] = names;
      }
      break;
    }
    case index::Kind::Series: {
      j["series_instance_uid"] = n->uid;
      add_public_attrs(j, *n);
      auto images = catalog.children(parent);
      if (images.ok()) j["images"] = images->size();
      break;
    }
    default:
      return make_error(ENOENT, "no sidecar");
  }
  return j.dump(2) + "\n";
}

const std::string& readme_text() {
  static const std::string text =
      "OBIA - open biomedical imaging archive\n"
      "======================================\n\n"
      "Every image here is de-identified (DICOM PS3.15 Annex E) before anyone sees it.\n\n"
      "Tree:\n"
      "  OBIA0001/                      a collection (collection.json describes it)\n"
      "    I000001/                     an individual (pseudonymous accession)\n"
      "      S00000001/                 a study (study.json)\n"
      "        001_CT/                  a series: SeriesNumber_Modality (series.json)\n"
      "          000001.dcm             images, in InstanceNumber order\n"
      "  inbox/OBIA0001/                curators copy DICOM files here (cp -r DIR inbox/OBIA0001/);\n"
      "                                 files vanish from the inbox once archived\n"
      "  quarantine/OBIA0001/           rejected files, each with NAME.reason (why, how to fix)\n\n"
      "  requests/OBIA0001              ask for access to a controlled collection (see\n"
      "                                 requests/TERMS.txt); read it back for the status\n\n"
      "Everything outside inbox/ and requests/ is read-only. Admins: obiactl --help.\n";
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
