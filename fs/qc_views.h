// The curators' quality-control views in the tree (issue 4):
//   MOUNT/<C>/.qc/tags.tsv                 the collection's tag report
//   MOUNT/<C>/<I>/<S>/NNN_MOD/.qc/contact.png   the series' contact sheet
// Only the collection's curators (and its owner, and root) see `.qc`: others find no entry in
// listings and ENOENT at lookup; the kernel-facing modes (0550/0440, owner and curators group)
// deny them too should a cached entry outlive the caller's own lookup. Content is generated
// deterministically and cached, so every stat reports the exact size a read returns.
#pragma once

#include <sys/stat.h>

#include <cstdint>
#include <string>

#include "common/result.h"
#include "fs/context.h"
#include "fs/handles.h"

namespace obia::fs {

constexpr const char* kQcDirName = ".qc";

// Inode kinds of the views (bits 56..63; the seq part is the collection's or series' seq).
constexpr uint8_t kCollectionQcKind = 40;  // <C>/.qc/
constexpr uint8_t kSeriesQcKind = 41;      // <series>/.qc/
constexpr uint8_t kTagsTsvKind = 42;       // <C>/.qc/tags.tsv
constexpr uint8_t kContactPngKind = 43;    // <series>/.qc/contact.png

bool is_qc_ino(uint64_t ino);

// The inode of `name` below `parent` when it is a QC view (".qc" below a collection or series,
// or a file in a .qc/ folder). ENOENT when there is no such view or the caller may not curate.
Result<uint64_t> qc_lookup(fuse_req_t req, Context& c, uint64_t parent, const char* name);

// Adds ".qc" to the listing of a collection or series folder when the caller may curate.
Status add_qc_entry(fuse_req_t req, Context& c, uint64_t dir, DirHandle& d);

// Listing of a .qc/ folder (EACCES for non-curators, ENOTDIR for the files).
Status list_qc(fuse_req_t req, Context& c, uint64_t ino, DirHandle& d);

// Attributes, owner and mode of a view (size of the generated content for files).
Result<struct stat> qc_stat(Context& c, uint64_t ino);
Result<Access> qc_access(Context& c, uint64_t ino);

// Content of a view file; qc_open also checks that the caller may curate (EACCES otherwise,
// EISDIR for the folders).
Result<std::string> qc_content(Context& c, uint64_t ino);
Result<std::string> qc_open(fuse_req_t req, Context& c, uint64_t ino);

}  // namespace obia::fs
