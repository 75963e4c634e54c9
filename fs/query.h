// Search as paths (ARCHITECTURE §6): query/ lists the keys, query/<key>=/ the values present
// with counts (links to query/<key>=<value>), query/<expr>/ links to the matching series.
// Results honour access policies: a caller sees (and counts) only series they may read.
#pragma once

#include <string>

#include "fs/context.h"
#include "fs/handles.h"

namespace obia::fs {

Status list_query_root(Context& c, DirHandle& d);
Status list_query_dir(fuse_req_t req, Context& c, const std::string& expr, DirHandle& d);
// The inode of `name` inside query/<expr>/ (taking a lookup reference for path-table entries).
Result<uint64_t> lookup_query_entry(fuse_req_t req, Context& c, const std::string& expr,
                                    const std::string& name);
// Whether `name` may be a query/ folder ("modality=" or "modality=CT&sex=F").
bool valid_expr(const std::string& name);
// "OBIA0001/I000001/S00000001/001_CT" for a node.
Result<std::string> node_path(Context& c, index::NodeId id);
Result<std::string> link_target(Context& c, uint64_t ino);  // for readlink and st_size

}  // namespace obia::fs
