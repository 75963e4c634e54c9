// A tiny built-in 5x7 bitmap font (digits, capitals, a little punctuation) for labels on contact
// sheets and for rendering test text into pixel arrays; no font files, no dependencies.
#pragma once

#include <string_view>

#include "ingest/pixel_render.h"

namespace obia::ingest {

constexpr int kGlyphWidth = 5, kGlyphHeight = 7, kGlyphAdvance = 6;

// Width in pixels of `text` drawn at `scale` (lower case is drawn as capitals).
int text_width(std::string_view text, int scale);
// Draws `text` with its top-left corner at (x, y); `colour` has image.channels values.
// Pixels outside the image are skipped. Unknown characters draw as '?'.
void draw_text(Image8& image, int x, int y, std::string_view text, int scale, const uint8_t* colour);
// Fills a rectangle (clipped), e.g. a dark box behind a label.
void fill_rect(Image8& image, int x, int y, int w, int h, const uint8_t* colour);

}  // namespace obia::ingest
