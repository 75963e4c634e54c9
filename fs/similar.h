// similar/ folders (ARCHITECTURE §3): <series>/similar/NNNNNN/ lists ranked links to the k
// images most similar to image NNNNNN that the caller may read; MOUNT/similar/ takes query files
// (cp FILE MOUNT/similar/), kept in memory only, whose FILE.results/ lists the ranked links.
// Uploads are forgotten after kUploadLifetime or at unmount; they are never archived.
#pragma once

#include <string>

#include "fs/context.h"
#include "fs/handles.h"

namespace obia::fs {

Status list_similar_root(Context& c, DirHandle& d);
Status list_series_similar(Context& c, index::NodeId series, DirHandle& d);
Status list_image_similar(fuse_req_t req, Context& c, index::NodeId image, DirHandle& d);
Status list_results(fuse_req_t req, Context& c, const std::string& upload, DirHandle& d);
// Finds `name` in a similar/ folder by listing it (folders are k entries long).
Result<uint64_t> lookup_in_listing(const DirHandle& d, Context& c, const std::string& name);

}  // namespace obia::fs
