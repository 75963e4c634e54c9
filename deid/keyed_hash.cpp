// HMAC-SHA256 via OpenSSL's one-shot HMAC().
#include "deid/keyed_hash.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <string>

namespace obia::deid {

Digest hmac_sha256(const Secret& secret, std::string_view message) {
  Digest out{};
  unsigned int len = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out.data(), &len);
  return out;
}

Digest keyed_hash(const Secret& secret, std::string_view domain, std::string_view message) {
  std::string m;
  m.reserve(domain.size() + 1 + message.size());
  m.append(domain);
  m.push_back('\0');
  m.append(message);
  return hmac_sha256(secret, m);
}

}  // namespace obia::deid
