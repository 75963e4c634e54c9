// Per-collection Clean Pixel Data rules: known regions where a device burns in text, blanked
// before the burned-in text check (like CTP's pixel anonymizer scripts, in our own format).
//
//   ARCHIVE/rules/<COLLECTION>.pixel, one rule per line, '#' starts a comment:
//     modality=US manufacturer="Philips*" rows=768 columns=1024 : 0,0,1024,24 0,24,300,240
//   Before ':' the match terms (all must hold; absent keys match anything): modality,
//   manufacturer, model (ManufacturerModelName), rows, columns, sopclass. Values compare
//   case-insensitively; a trailing '*' matches any rest. After ':' one or more boxes
//   x,y,width,height in pixels (origin top left) that are blanked in every frame.
#pragma once

#include <dcmtk/dcmdata/dcdatset.h>

#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "ingest/pixel_text_detector.h"

namespace obia::ingest {

struct PixelRule {
  std::map<std::string, std::string> match;  // key -> pattern (lower case)
  std::vector<Box> boxes;
  int line = 0;
};

class PixelRules {
 public:
  // Parses a rule file; errors name the line and what is wrong.
  static Result<PixelRules> parse(std::string_view text);
  // Boxes of every rule that matches the dataset (original attributes), clipped later.
  std::vector<Box> regions_for(DcmItem& dataset) const;
  const std::vector<PixelRule>& rules() const { return rules_; }
  bool empty() const { return rules_.empty(); }

 private:
  std::vector<PixelRule> rules_;
};

// The rule file of a collection, re-read when it changes (size or mtime). Thread-safe.
class PixelRuleFiles {
 public:
  explicit PixelRuleFiles(std::filesystem::path rules_dir) : dir_(std::move(rules_dir)) {}
  static std::filesystem::path path_for(const std::filesystem::path& rules_dir, const std::string& collection);
  // Empty rules when the file does not exist; an error when it does not parse.
  Result<PixelRules> for_collection(const std::string& collection);

 private:
  struct Cached {
    std::filesystem::file_time_type mtime;
    uintmax_t size = 0;
    Result<PixelRules> rules = PixelRules();
  };
  std::filesystem::path dir_;
  std::mutex mu_;
  std::map<std::string, Cached> cache_;
};

// Blanks `boxes` in every frame of the dataset's pixel data, in place. Compressed pixel data is
// decoded first and kept uncompressed (the dataset's transfer syntax becomes explicit VR little
// endian). Blank is the darkest value as displayed (MONOCHROME1: the highest), black for colour.
Status blank_regions(DcmDataset& dataset, const std::vector<Box>& boxes);

}  // namespace obia::ingest
