// obiactl subcommands; each returns the process exit code and prints a one-line reason on
// failure (to stderr).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "index/catalog.h"
#include "store/archive.h"
#include "store/object_store.h"

namespace CLI {
class App;
}

namespace obia::ctl {

// Command groups register their subcommands on the app; each sets `rc` when it runs.
void register_core_commands(CLI::App& app, int& rc);        // ctl_commands.cpp
void register_qc_commands(CLI::App& app, int& rc);          // ctl_qc.cpp
void register_similarity_commands(CLI::App& app, int& rc);  // ctl_similarity.cpp
void register_access_commands(CLI::App& app, int& rc);      // ctl_access.cpp
void register_metadata_commands(CLI::App& app, int& rc);    // ctl_metadata.cpp
void register_search_commands(CLI::App& app, int& rc);      // ctl_find.cpp

struct OpenArchive {
  store::ArchivePaths paths;
  std::unique_ptr<index::Catalog> catalog;
  std::optional<store::ObjectStore> objects;
};

Result<OpenArchive> open_archive(const std::string& path);
int fail(const std::string& message);  // prints "obiactl: message", returns 1
// The collection with this accession, or ENOENT with a hint.
Result<index::Node> find_collection(OpenArchive& a, const std::string& accession);

int cmd_init(const std::string& archive, const std::string& prefix);
int cmd_collection_create(const std::string& archive,
                          const std::map<std::string, std::string>& attrs);
int cmd_collection_list(const std::string& archive, bool json);
// Changes descriptive attributes of a collection (title, links, ...); an empty value removes one.
int cmd_collection_set(const std::string& archive, const std::string& collection,
                       const std::map<std::string, std::string>& attrs);
// "NAME=URL" pairs of --link into "link.NAME" attributes; an error names the bad pair.
Result<std::map<std::string, std::string>> link_attrs(const std::vector<std::string>& pairs);
int cmd_wait(const std::string& archive, double timeout_seconds);
int cmd_stats(const std::string& archive, bool json);
int cmd_stats_html(const std::string& archive, const std::string& file);  // ctl_stats.cpp
int cmd_verify(const std::string& archive, bool repair);

}  // namespace obia::ctl
