#pragma once

#include <array>
#include <span>
#include <string_view>

typedef struct evp_md_ctx_st EVP_MD_CTX;

namespace wx::auth {

// HMAC-SHA-256 (RFC 2104) with the keyed inner and outer hash states computed once, so a MAC
// costs two state copies and the message hash; OpenSSL's SHA-256 uses the CPU's SHA extensions.
// Thread safety: mac() may be called concurrently (per-thread scratch state).
class HmacSha256 {
public:
    explicit HmacSha256(std::span<unsigned char const> key);
    HmacSha256(HmacSha256 const&) = delete;
    HmacSha256& operator=(HmacSha256 const&) = delete;
    ~HmacSha256();

    [[nodiscard]] std::array<unsigned char, 32> mac(std::string_view message) const;

private:
    EVP_MD_CTX* inner_;
    EVP_MD_CTX* outer_;
};

}  // namespace wx::auth
