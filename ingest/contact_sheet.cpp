// Contact sheet layout: sample tiles, render and shrink each, label, encode as PNG.
#include "ingest/contact_sheet.h"

#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <cmath>

#include "ingest/pixel_decode.h"
#include "ingest/pixel_font.h"
#include "ingest/pixel_png.h"
#include "ingest/pixel_render.h"

namespace obia::ingest {
namespace {

const uint8_t kLabel[3] = {255, 230, 40};   // yellow: readable on any grey
const uint8_t kLabelBox[3] = {0, 0, 0};
const uint8_t kFailed[3] = {110, 0, 0};
const uint8_t kHeader[3] = {200, 200, 200};
constexpr int kHeaderRows = 14;

// Evenly spaced picks of `want` out of `n` (all when n <= want).
std::vector<size_t> pick(size_t n, size_t want) {
  std::vector<size_t> out;
  if (n <= want) {
    for (size_t i = 0; i < n; ++i) out.push_back(i);
    return out;
  }
  for (size_t k = 0; k < want; ++k) out.push_back(want == 1 ? 0 : k * (n - 1) / (want - 1));
  return out;
}

Image8 as_rgb(const Image8& img) {
  if (img.channels == 3) return img;
  Image8 out(img.width, img.height, 3);
  for (size_t i = 0; i < size_t(img.width) * img.height; ++i)
    out.pixels[i * 3] = out.pixels[i * 3 + 1] = out.pixels[i * 3 + 2] = img.pixels[i];
  return out;
}

// Fits the frame into a tile x tile cell, keeping its aspect ratio.
Image8 fit(const Image8& img, unsigned tile) {
  const double s = std::min(double(tile) / img.width, double(tile) / img.height);
  const uint32_t w = std::max<uint32_t>(1, uint32_t(std::lround(img.width * s)));
  const uint32_t h = std::max<uint32_t>(1, uint32_t(std::lround(img.height * s)));
  return s >= 1.0 ? upscale_bilinear(img, std::min(s, 4.0)) : resize(img, w, h);
}

void paste(Image8& sheet, const Image8& tile, int x, int y) {
  for (uint32_t r = 0; r < tile.height && y + int(r) < int(sheet.height); ++r) {
    const uint32_t n = std::min<uint32_t>(tile.width, sheet.width - x);
    std::copy_n(tile.row(r), size_t(n) * 3, sheet.row(y + r) + size_t(x) * 3);
  }
}

struct Tile {
  Image8 image;  // RGB, fitted; empty when the frame could not be read
  std::string label;
};

std::string image_number(const std::string& name) {
  std::string digits = name.substr(0, name.find('.'));
  size_t i = digits.find_first_not_of('0');
  return i == std::string::npos ? "0" : digits.substr(i);
}

}  // namespace

Result<std::string> contact_sheet_png(const index::Catalog& catalog, const store::ObjectStore& objects,
                                      index::NodeId series, const ContactSheetSettings& s) {
  auto node = catalog.get(series);
  if (!node) return node.error();
  if (node->kind() != index::Kind::Series) return make_error(EINVAL, "not a series");
  auto kids = catalog.children(series);
  if (!kids) return kids.error();
  std::vector<index::Node> images;
  for (auto& k : *kids)
    if (k.kind() == index::Kind::Image) images.push_back(k);
  if (images.empty()) return make_error(ENOENT, "the series has no images");

  const std::vector<size_t> chosen = pick(images.size(), s.max_tiles);
  const size_t frames_each = std::max<size_t>(1, s.max_tiles / chosen.size());
  std::vector<Tile> tiles;
  for (size_t idx : chosen) {
    const index::Node& img = images[idx];
    const std::string number = image_number(img.name);
    DcmFileFormat file;
    const std::string path = objects.path_of(img.object).string();
    Result<std::optional<DecodedPixels>> px = make_error(EIO, "unreadable");
    if (file.loadFile(path.c_str()).good() && file.loadAllDataIntoMemory().good())
      px = decode_pixels(*file.getDataset());
    if (!px || !*px) {
      tiles.push_back({Image8(), number});
      continue;
    }
    const uint32_t frames = (*px)->format().frames;
    for (size_t f : pick(frames, frames_each)) {
      auto frame = render_frame(**px, uint32_t(f), WindowMode::FileOrPercentile, false);
      std::string label = frames > 1 ? number + ":" + std::to_string(f + 1) : number;
      tiles.push_back({frame ? fit(as_rgb(*frame), s.tile) : Image8(), label});
      if (tiles.size() >= s.max_tiles) break;
    }
    if (tiles.size() >= s.max_tiles) break;
  }

  const unsigned cols = std::min<unsigned>(s.max_columns, unsigned(std::ceil(std::sqrt(double(tiles.size())))));
  const unsigned rows = unsigned((tiles.size() + cols - 1) / cols);
  const unsigned cell = s.tile + 2;
  Image8 sheet(cols * cell, rows * cell + kHeaderRows, 3, 0);
  const std::string header = node->name + "  " + std::to_string(images.size()) + " IMAGES" +
                             (chosen.size() < images.size() ? ", " + std::to_string(chosen.size()) + " SHOWN" : "");
  draw_text(sheet, 3, 3, header, 1, kHeader);
  for (size_t i = 0; i < tiles.size(); ++i) {
    const int x = int(i % cols * cell) + 1, y = int(i / cols * cell) + kHeaderRows + 1;
    const Tile& t = tiles[i];
    if (t.image.empty()) {
      fill_rect(sheet, x, y, int(s.tile), int(s.tile), kFailed);
      draw_text(sheet, x + int(s.tile) / 2 - 2, y + int(s.tile) / 2 - 3, "X", 1, kLabel);
    } else {
      paste(sheet, t.image, x + int(s.tile - t.image.width) / 2, y + int(s.tile - t.image.height) / 2);
    }
    fill_rect(sheet, x, y, text_width(t.label, 1) + 4, kGlyphHeight + 4, kLabelBox);
    draw_text(sheet, x + 2, y + 2, t.label, 1, kLabel);
  }
  return encode_png(sheet);
}

}  // namespace obia::ingest
