// PNG (libpng simplified API) and JPEG (libjpeg) files in memory to 8-bit grey, then [0,1].
#include <png.h>
// jpeglib.h needs FILE and size_t declared first.
#include <csetjmp>
#include <cstdio>
#include <jpeglib.h>

#include <cstring>
#include <string>
#include <vector>

#include "index/similarity/decode.h"

namespace obia::similarity {

Result<GrayImage> decode_png(std::span<const uint8_t> bytes) {
  png_image image;
  std::memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_memory(&image, bytes.data(), bytes.size()))
    return make_error(EINVAL, std::string("PNG: ") + image.message);
  image.format = PNG_FORMAT_GRAY;
  if (image.width == 0 || image.height == 0 || image.width > 65535 || image.height > 65535) {
    png_image_free(&image);
    return make_error(EINVAL, "PNG: unsupported size");
  }
  std::vector<uint8_t> pixels(PNG_IMAGE_SIZE(image));
  png_color background{0, 0, 0};
  if (!png_image_finish_read(&image, &background, pixels.data(), 0, nullptr)) {
    std::string msg = image.message;
    png_image_free(&image);
    return make_error(EINVAL, "PNG: " + msg);
  }
  return from_u8(static_cast<int>(image.width), static_cast<int>(image.height), pixels);
}

namespace {

struct JpegError {
  jpeg_error_mgr mgr;
  std::jmp_buf jump;
  char message[JMSG_LENGTH_MAX];
};

void on_jpeg_error(j_common_ptr cinfo) {
  auto* err = reinterpret_cast<JpegError*>(cinfo->err);
  (*cinfo->err->format_message)(cinfo, err->message);
  std::longjmp(err->jump, 1);
}

void quiet(j_common_ptr, int) {}

// C-style on purpose: longjmp may only cross frames without C++ destructors. `out` is sized
// by the caller's frame before decoding begins, so nothing here needs unwinding.
bool decode_jpeg_into(const uint8_t* data, size_t size, std::vector<uint8_t>& out, int& width,
                      int& height, JpegError& err) {
  jpeg_decompress_struct cinfo;
  cinfo.err = jpeg_std_error(&err.mgr);
  err.mgr.error_exit = on_jpeg_error;
  err.mgr.emit_message = quiet;
  if (setjmp(err.jump)) {
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  jpeg_create_decompress(&cinfo);
  jpeg_mem_src(&cinfo, data, static_cast<unsigned long>(size));
  jpeg_read_header(&cinfo, TRUE);
  cinfo.out_color_space = JCS_GRAYSCALE;
  jpeg_start_decompress(&cinfo);
  width = static_cast<int>(cinfo.output_width);
  height = static_cast<int>(cinfo.output_height);
  if (cinfo.output_components != 1 || width <= 0 || height <= 0 || width > 65535 ||
      height > 65535) {
    std::snprintf(err.message, sizeof err.message, "unsupported JPEG layout");
    jpeg_destroy_decompress(&cinfo);
    return false;
  }
  out.resize(static_cast<size_t>(width) * height);  // before any further longjmp point reads it
  while (cinfo.output_scanline < cinfo.output_height) {
    JSAMPROW row = out.data() + static_cast<size_t>(cinfo.output_scanline) * width;
    jpeg_read_scanlines(&cinfo, &row, 1);
  }
  jpeg_finish_decompress(&cinfo);
  jpeg_destroy_decompress(&cinfo);
  return true;
}

}  // namespace

Result<GrayImage> decode_jpeg(std::span<const uint8_t> bytes) {
  std::vector<uint8_t> pixels;
  int width = 0, height = 0;
  JpegError err{};
  if (!decode_jpeg_into(bytes.data(), bytes.size(), pixels, width, height, err))
    return make_error(EINVAL, std::string("JPEG: ") + err.message);
  return from_u8(width, height, pixels);
}

}  // namespace obia::similarity
