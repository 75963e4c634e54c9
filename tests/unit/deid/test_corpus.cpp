// Real files: every file DCMTK loads from Debian's pydicom test set (and the shared test data,
// when present) de-identifies without crashing, verifies clean, and survives a byte search.
#include <dcmtk/dcmdata/dcmetinf.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "deid/deidentifier.h"
#include "support.h"

namespace obia::deid {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> corpus() {
  std::vector<fs::path> files;
  if (fs::is_directory(OBIA_PYDICOM_DIR)) {
    for (const auto& e : fs::directory_iterator(OBIA_PYDICOM_DIR)) {
      if (e.path().extension() == ".dcm") files.push_back(e.path());
    }
  }
  if (fs::is_directory(OBIA_SHARED_DICOM_DIR)) {
    for (const auto& e : fs::recursive_directory_iterator(OBIA_SHARED_DICOM_DIR)) {
      if (!e.is_regular_file() || e.file_size() > (8u << 20)) continue;
      files.push_back(e.path());
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

void check_profile(const Profile& profile, const char* label) {
  const auto files = corpus();
  ASSERT_FALSE(files.empty());
  int loaded = 0, clean = 0, burned = 0;
  for (const fs::path& path : files) {
    DcmFileFormat file;
    if (file.loadFile(path.c_str()).bad()) continue;
    ++loaded;
    OFString original_sop;
    file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, original_sop);
    const Outcome out = deidentify(file, profile, test::secret(), test::subject());
    if (!out.ok && out.reason == "burned-in-annotation") {
      ++burned;  // the file itself says so; Clean Pixel Data refuses it (quarantine)
      continue;
    }
    ASSERT_TRUE(out.ok) << label << " " << path.filename() << ": " << out.reason << " "
                        << out.detail;
    DcmDataset& ds = *file.getDataset();
    EXPECT_EQ(test::get(ds, DCM_PatientName), "I000001") << path.filename();
    EXPECT_EQ(test::get(ds, DCM_PatientID), "I000001") << path.filename();
    EXPECT_EQ(test::get(ds, DCM_PatientIdentityRemoved), "YES") << path.filename();
    const std::vector<uint8_t> bytes = test::serialize(file);
    EXPECT_EQ(find_residual(bytes, out.identifying), "") << label << " " << path.filename();
    auto again = test::parse(bytes);
    const std::string sop = test::get(*again->getDataset(), DCM_SOPInstanceUID);
    if (!original_sop.empty()) {
      if (!profile.has(Option::RetainUIDs)) {
        EXPECT_NE(sop, original_sop.c_str()) << path.filename();
      }
      EXPECT_EQ(test::get(*again->getMetaInfo(), DCM_MediaStorageSOPInstanceUID), sop)
          << path.filename();
    }
    ++clean;
  }
  EXPECT_GT(loaded, 40);
  std::cout << label << ": " << loaded << " loaded, " << clean << " clean, " << burned
            << " refused for burned-in annotation\n";
}

TEST(Corpus, DefaultProfileOnRealFiles) { check_profile(Profile::obia_default(), "default"); }

TEST(Corpus, BasicProfileOnRealFiles) { check_profile(Profile{}, "basic"); }

TEST(Corpus, EveryOptionOnRealFiles) {
  Profile all = Profile::obia_default();
  for (Option o : {Option::RetainUIDs, Option::RetainInstitutionIdentity,
                   Option::CleanStructuredContent, Option::CleanGraphics}) {
    all.options.insert(o);
  }
  check_profile(all, "all-options");
}

}  // namespace
}  // namespace obia::deid
