// The tag report of a collection (what TagSniffer gave OBIA's reviewers): every element present
// in its archived, de-identified objects (file meta and nested sequence items included), with
// how many files contain it, its distinct values, the most frequent ones, and a flag where a
// value looks like a name, date, ID, address or phone number, for a human PHI review.
//   obiactl report ARCHIVE OBIA0001 --tags     and     MOUNT/OBIA0001/.qc/tags.tsv
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "index/catalog.h"
#include "store/object_store.h"

namespace obia::ingest {

// TSV with a header row: tag, keyword, vr, files, distinct, top_values, flags. Nested elements
// have tag paths like (0008,1140)>(0008,1150). Rows are sorted by tag path.
Result<std::string> tag_report_tsv(const index::Catalog& catalog, const store::ObjectStore& objects,
                                   index::NodeId collection);

// The PHI-likeness flags of one value ("name,id", ...), given its VR name ("PN", "LO", ...).
std::string phi_flags(std::string_view vr, std::string_view value);

}  // namespace obia::ingest
