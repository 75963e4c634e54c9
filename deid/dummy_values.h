// Action D: the dummy value written for each VR (PS3.15 E.1.1: non-empty, valid for the VR).
#pragma once

#include <dcmtk/dcmdata/dctagkey.h>
#include <dcmtk/dcmdata/dcvr.h>

#include <optional>
#include <string>
#include <vector>

namespace obia::deid {

// The dummy for a string VR: "ANONYMOUS" for names, texts, codes and AE titles; 19000101 (DA);
// 19000101000000 (DT); 000000 (TM); 000Y (AS); 0 (DS, IS); about:blank (UR); and a defined term
// where one is required ((0400,0565) "COERCE"). nullopt for UI (remapped instead) and non-string
// VRs (binary numbers get 0, OB/OW two zero bytes; see actions.cpp).
std::optional<std::string> dummy_text(DcmEVR vr, const DcmTagKey& tag);

// Every text dummy_text() can return (so the verification pass never flags its own dummies).
std::vector<std::string> dummy_texts();

}  // namespace obia::deid
