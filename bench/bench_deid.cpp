// De-identification throughput on one core (issue 3): parse + de-identify + verify + serialise +
// byte check for every DICOM file under IN, written to OUT. Prints files/s.
//   bench_deid IN OUT [--profile default|basic|...]
#include <fcntl.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "common/fd.h"
#include "common/heap.h"
#include "deid/deidentifier.h"
#include "ingest/dicom_io.h"
#include "ingest/qc_basic.h"

using namespace obia;
namespace fs = std::filesystem;

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: bench_deid IN OUT [--profile P]\n");
    return 1;
  }
  keep_image_buffers();  // as obiafs does for its ingest workers
  std::string profile_text = argc > 4 && std::string(argv[3]) == "--profile" ? argv[4] : "default";
  auto profile = deid::Profile::parse(profile_text);
  if (!profile) return 1;
  deid::Secret secret{};
  secret.fill(7);
  std::vector<fs::path> files;
  for (auto& e : fs::recursive_directory_iterator(argv[1]))
    if (e.is_regular_file()) files.push_back(e.path());
  fs::create_directories(argv[2]);
  size_t ok = 0, n = 0;
  auto start = std::chrono::steady_clock::now();
  for (auto& f : files) {
    auto file = ingest::load_dicom(f);
    if (!file) continue;
    auto qc = ingest::check_basic(**file);
    if (qc.reason != ingest::Reason::None) continue;
    deid::Outcome d =
        deid::deidentify(**file, *profile, secret, {"I000001", qc.identity.patient_id});
    if (!d.ok) continue;
    auto bytes = ingest::serialize_dicom(**file);
    if (!bytes || !deid::find_residual(*bytes, d.identifying).empty()) continue;
    auto out = open_fd(fs::path(argv[2]) / std::to_string(n++), O_WRONLY | O_CREAT | O_TRUNC);
    if (out && write_all(out->get(), std::as_bytes(std::span(*bytes))).ok()) ++ok;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("%zu of %zu files in %.2f s: %.1f files/s\n", ok, files.size(), s, ok / s);
  return 0;
}
