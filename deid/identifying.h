// Collection of the original's identifying values before anything is changed: the input of the
// verification pass (and of Clean Descriptors / Retain Safe Private decisions).
#pragma once

#include <dcmtk/dcmdata/dcfilefo.h>

#include <string_view>

#include "deid/deidentifier.h"
#include "deid/policy.h"
#include "deid/safe_private.h"

namespace obia::deid {

struct IdentifyingSet {
  IdentifyingValues values;  // tokens the output must not contain, with where they came from
  RemovedValues removed;     // whole removed/replaced values, for "equal to a removed value"
};

// Walks the original (file meta and data set, every depth) with the same decisions the engine
// will take and collects the values it removes or replaces:
//  - *patient* tokens: PatientName/PatientID and the other patient-module values (names,
//    IDs, birth date, address, telephone, ...): dropped only if the same token is a code kept in
//    the output (a CS defined term, a code value or coding scheme), as then a hit proves nothing;
//  - *strong* tokens: other person names (PN anywhere, private too), identifiers (keywords
//    ending in ID/IDs/Number/Numbers, not UIDs or issuers), addresses, telephone numbers,
//    e-mail addresses: also dropped when an option deliberately keeps a value with that token
//    (e.g. a physician named like the institution kept under Retain Institution Identity);
//  - *weak* tokens: other removed or replaced values (institutions, issuers, stations, device
//    identifiers, AE titles, dates, non-registry UIDs): also dropped when any value the profile
//    keeps unchanged has that token (it would be a false alarm, and it is retained anyway);
//  - free-text descriptors, patient characteristics, times, codes and binary values are not
//    tokens (they describe, they do not identify; names inside them are caught as names);
//  - tokens of the values this engine writes (the accession, dummies, marks, and the shifted
//    dates, which may by chance equal another original date) are dropped.
IdentifyingSet collect_identifying(DcmFileFormat& file, const Policy& policy,
                                   std::string_view accession, int date_offset_days);

}  // namespace obia::deid
