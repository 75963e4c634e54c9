// Helpers for the deid unit tests: secrets, datasets built in code, serialisation, lookups.
#pragma once

#include <dcmtk/dcmdata/dcdatset.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "deid/deidentifier.h"

namespace obia::deid::test {

Secret secret(uint8_t seed = 1);
Subject subject(std::string accession = "I000001", std::string patient_id = "PID-12345");

// A CT-like instance with identifying values in the usual places (names, IDs, dates, UIDs,
// institution, station, device, descriptions, a referenced-image sequence).
std::unique_ptr<DcmFileFormat> make_ct();

// Serialises with DCMTK as a Part 10 file in the file's own transfer syntax when possible,
// otherwise explicit VR little endian.
std::vector<uint8_t> serialize(DcmFileFormat& file);
std::unique_ptr<DcmFileFormat> parse(const std::vector<uint8_t>& bytes);

// The value of `tag` in `item` (all values), or "<absent>".
std::string get(DcmItem& item, const DcmTagKey& tag);
bool has(DcmItem& item, const DcmTagKey& tag);

// Inserts a string element with an explicit VR (for tags DCMTK's dictionary does not know).
void put(DcmItem& item, const DcmTagKey& tag, const std::string& value);
DcmItem& add_item(DcmItem& parent, const DcmTag& seq_tag);

}  // namespace obia::deid::test
