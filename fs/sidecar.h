// Generated files of the tree: README.txt at the root, collection.json, study.json and
// series.json. Content is produced from the catalog at open time (and for getattr's size).
#pragma once

#include <string>

#include "index/catalog.h"

namespace obia::fs {

// The sidecar file name shown inside a node of this kind ("" if the kind has none).
std::string sidecar_name(index::Kind kind);
Result<std::string> sidecar_content(const index::Catalog& catalog, index::NodeId parent);
// participants.tsv of a collection (BIDS style): participant_id, sex, age, clinical columns.
Result<std::string> participants_tsv(const index::Catalog& catalog, index::NodeId collection);
const std::string& readme_text();
const std::string& terms_text();  // requests/TERMS.txt

}  // namespace obia::fs
