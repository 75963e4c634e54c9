// The per-element decision of the engine: what Table E.1-1, the profile's options and the VR
// say to do with one attribute. Shared by the engine (actions.cpp) and by the collection of the
// original's identifying values (identifying.cpp), so both agree on what changes.
#pragma once

#include <dcmtk/dcmdata/dctagkey.h>
#include <dcmtk/dcmdata/dcvr.h>

#include "deid/iod_type.h"
#include "deid/profile.h"
#include "deid/rule_table.h"

namespace obia::deid {

enum class Treatment {
  Keep,         // value unchanged (K; attributes the table does not list; TM under dates)
  Recurse,      // sequence kept, its items walked (K, unlisted, X/Z/U* inside a sequence)
  Remove,       // X
  Empty,        // Z (a sequence loses its items)
  Dummy,        // D on a value
  DummyItems,   // D on a sequence: kept, and every free-text or PN leaf inside becomes a dummy
  CleanText,    // C on free text: kept if clean, otherwise `fallback`
  CleanItems,   // C on a sequence: kept, free-text leaves inside are cleaned
  RemapUid,     // U (and D on a UI)
  ShiftDate,    // C on DA/DT under Retain Longitudinal Modified Dates
  PseudonymAE,  // C on an AE title under Retain Device Identity
  SafePrivate,  // C on the private-attributes row under Retain Safe Private
  Accession,    // top-level PatientName/PatientID: the caller's individual accession
};

// Inherited by the items of a sequence: inside a D sequence free text becomes dummies, inside a
// C sequence it is cleaned.
enum class Context { Normal, Clean, Dummy };

struct Decision {
  Treatment treatment = Treatment::Keep;
  Treatment fallback = Treatment::Remove;  // for CleanText that is not clean
  const Rule* rule = nullptr;              // the table row, if any
};

struct Policy {
  const Profile& profile;
  const IodContext& iod;
};

// Decision for a data set attribute (not file meta). `nested`: inside a sequence item.
// Beyond the table (documented in docs/deid-conformance.md): group lengths are removed; whole
// overlay (60xx) and curve (50xx) groups are removed; unlisted UI values are remapped, unlisted
// DA/DT shifted/kept/emptied per the date options, unlisted PN emptied.
Decision decide(const Policy& policy, const DcmTagKey& tag, DcmEVR vr, Context context,
                bool nested);

// Decision for a file meta attribute: (0002,0003) per its row; version, SOP class, transfer
// syntax and implementation kept; everything else (AE titles, presentation addresses, private
// information) removed.
Decision decide_meta(const Policy& policy, const DcmTagKey& tag);

Context context_for_items(Treatment t, Context parent);

}  // namespace obia::deid
