// Names and targets of the ranked links in similar/ folders (ARCHITECTURE §3):
//   01_d03_OBIA0002_I000017_S00000042_002_MR_000007.dcm
//     -> ../../../../../../OBIA0002/I000017/S00000042/002_MR/000007.dcm
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace obia::similarity {

// Rank (1-based, 2+ digits), "d" + Hamming distance (2+ digits), then the target's path
// relative to the mount root with every '/' replaced by '_'.
std::string link_name(size_t rank, uint32_t distance, const std::string& target_rel_path);

// The relative symlink target from a directory `link_dir_rel` (relative to the mount root,
// e.g. "OBIA0001/I000001/S00000001/001_CT/similar/000001") to `target_rel_path`.
std::string link_target(const std::string& link_dir_rel, const std::string& target_rel_path);

}  // namespace obia::similarity
