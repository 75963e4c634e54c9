// HMAC-SHA256 through OpenSSL's EVP_MAC, one keyed context per thread: the one-shot HMAC()
// fetches the algorithm and sets up the key on every call, which made UID remapping a visible
// share of de-identification.
#include "deid/keyed_hash.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>
#include <string>

namespace obia::deid {
namespace {

struct MacFree {
  void operator()(EVP_MAC* m) const { EVP_MAC_free(m); }
};
struct MacCtxFree {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

// A context keyed with the last secret this thread used; re-initialised per message.
class KeyedMac {
 public:
  bool compute(const Secret& secret, std::string_view message, Digest& out) {
    if (!ctx_ || secret != key_) {
      if (!rekey(secret)) return false;
    } else if (EVP_MAC_init(ctx_.get(), nullptr, 0, nullptr) != 1) {  // same key, fresh state
      return false;
    }
    size_t len = 0;
    return EVP_MAC_update(ctx_.get(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1 &&
           EVP_MAC_final(ctx_.get(), out.data(), &len, out.size()) == 1 && len == out.size();
  }

 private:
  bool rekey(const Secret& secret) {
    ctx_.reset();
    if (!mac_) mac_.reset(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    if (!mac_) return false;
    std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx(EVP_MAC_CTX_new(mac_.get()));
    if (!ctx) return false;
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                                 OSSL_PARAM_END};
    if (EVP_MAC_init(ctx.get(), secret.data(), secret.size(), params) != 1) return false;
    ctx_ = std::move(ctx);
    key_ = secret;
    return true;
  }

  std::unique_ptr<EVP_MAC, MacFree> mac_;
  std::unique_ptr<EVP_MAC_CTX, MacCtxFree> ctx_;
  Secret key_{};
};

}  // namespace

Digest hmac_sha256(const Secret& secret, std::string_view message) {
  Digest out{};
  thread_local KeyedMac mac;
  if (mac.compute(secret, message, out)) return out;
  unsigned int len = 0;  // the context could not be set up: the one-shot call still works
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
