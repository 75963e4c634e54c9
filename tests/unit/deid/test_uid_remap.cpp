// Action U: the 2.25 remapping is keyed, deterministic, valid, and spares registry UIDs.
#include <dcmtk/dcmdata/dcuid.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "deid/keyed_hash.h"
#include "deid/uid_remap.h"
#include "support.h"

namespace obia::deid {
namespace {

TEST(UidRemap, KnownAnswer) {
  // Computed independently: python3 hmac.new(key, b"1.2.3.4", sha256), first 16 bytes, int.
  EXPECT_EQ(remap_uid(test::secret(1), "1.2.3.4"), "2.25.317465282203346018907203660168234328894");
  EXPECT_EQ(remap_uid(test::secret(1), "1.2.826.0.1.3680043.2.1125.1.1001"),
            "2.25.306014244990649420553797755373549046129");
}

TEST(KeyedHash, SameAsOneShotHmacAcrossSecretsAndLengths) {
  // The per-thread keyed context must give what a fresh HMAC gives, whatever came before it.
  for (int round = 0; round < 3; ++round) {
    for (uint8_t key = 1; key <= 3; ++key) {
      for (size_t len : {0u, 1u, 55u, 64u, 65u, 1000u}) {
        const std::string msg(len, static_cast<char>('a' + key + round));
        const Secret s = test::secret(key);
        Digest want{};
        unsigned int n = 0;
        HMAC(EVP_sha256(), s.data(), static_cast<int>(s.size()),
             reinterpret_cast<const unsigned char*>(msg.data()), msg.size(), want.data(), &n);
        EXPECT_EQ(hmac_sha256(s, msg), want) << "key " << int(key) << " length " << len;
      }
    }
  }
}

TEST(UidRemap, DeterministicKeyedAndValid) {
  const std::string a = remap_uid(test::secret(1), "1.2.3.4");
  EXPECT_EQ(a, remap_uid(test::secret(1), "1.2.3.4"));
  EXPECT_EQ(a, remap_uid(test::secret(1), std::string("1.2.3.4\0", 8)));  // UI padding
  EXPECT_NE(a, remap_uid(test::secret(2), "1.2.3.4"));
  EXPECT_NE(a, remap_uid(test::secret(1), "1.2.3.5"));
  for (const char* uid : {"1.2.3.4", "9", "1.2.840.113619.2.55.3.1234"}) {
    const std::string r = remap_uid(test::secret(3), uid);
    EXPECT_LE(r.size(), 64u);
    EXPECT_TRUE(r.starts_with("2.25."));
    const std::string digits = r.substr(5);
    EXPECT_EQ(digits.find_first_not_of("0123456789"), std::string::npos);
    EXPECT_TRUE(digits == "0" || digits[0] != '0');  // no leading zero in a UID component
  }
}

TEST(UidRemap, RegistryUidsAreKept) {
  EXPECT_TRUE(is_registry_uid(UID_CTImageStorage));
  EXPECT_TRUE(is_registry_uid(UID_LittleEndianExplicitTransferSyntax));
  EXPECT_TRUE(is_registry_uid("1.2.840.10008.5.1.4.1.1.88.22"));
  EXPECT_TRUE(is_registry_uid("1.2.840.10008.99.1234"));  // anything under the DICOM root
  EXPECT_FALSE(is_registry_uid("1.2.826.0.1.3680043.2.1125.1.1001"));
  EXPECT_EQ(map_uid(test::secret(), UID_CTImageStorage), UID_CTImageStorage);
  EXPECT_EQ(map_uid(test::secret(), ""), "");
  EXPECT_EQ(map_uid_value(test::secret(), std::string(UID_CTImageStorage) + "\\1.2.3.4"),
            std::string(UID_CTImageStorage) + "\\" + remap_uid(test::secret(), "1.2.3.4"));
}

}  // namespace
}  // namespace obia::deid
