#include "auth/hmac_sha256.hpp"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>
#include <vector>

namespace wx::auth {
namespace {

constexpr std::size_t kBlock = 64;

struct CtxFree {
    void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};

EVP_MD_CTX* keyed_state(std::vector<unsigned char> const& block, unsigned char pad) {
    std::vector<unsigned char> padded(block);
    for (auto& b : padded) b ^= pad;
    EVP_MD_CTX* ctx = EVP_MD_CTX_new();
    if (!ctx || EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr) != 1 ||
        EVP_DigestUpdate(ctx, padded.data(), padded.size()) != 1) {
        EVP_MD_CTX_free(ctx);
        throw std::runtime_error("SHA-256 is not available");
    }
    return ctx;
}

// Per-thread scratch state (STYLE.md rule 13 names it): HmacSha256 is shared across threads as
// const, and allocating an EVP_MD_CTX per verify would cost more than the HMAC itself.
EVP_MD_CTX* scratch() {
    thread_local std::unique_ptr<EVP_MD_CTX, CtxFree> ctx{EVP_MD_CTX_new()};
    return ctx.get();
}

}  // namespace

HmacSha256::HmacSha256(std::span<unsigned char const> key) {
    std::vector<unsigned char> block(kBlock, 0);
    if (key.size() > kBlock) {
        unsigned int n = 0;
        EVP_Digest(key.data(), key.size(), block.data(), &n, EVP_sha256(), nullptr);
    } else {
        std::copy(key.begin(), key.end(), block.begin());
    }
    inner_ = keyed_state(block, 0x36);
    outer_ = keyed_state(block, 0x5c);
}

HmacSha256::~HmacSha256() {
    EVP_MD_CTX_free(inner_);
    EVP_MD_CTX_free(outer_);
}

std::array<unsigned char, 32> HmacSha256::mac(std::string_view message) const {
    std::array<unsigned char, 32> inner_digest{};
    std::array<unsigned char, 32> out{};
    unsigned int n = 0;
    EVP_MD_CTX* ctx = scratch();
    if (EVP_MD_CTX_copy_ex(ctx, inner_) != 1 || EVP_DigestUpdate(ctx, message.data(), message.size()) != 1 ||
        EVP_DigestFinal_ex(ctx, inner_digest.data(), &n) != 1 || EVP_MD_CTX_copy_ex(ctx, outer_) != 1 ||
        EVP_DigestUpdate(ctx, inner_digest.data(), inner_digest.size()) != 1 ||
        EVP_DigestFinal_ex(ctx, out.data(), &n) != 1)
        throw std::runtime_error("HMAC-SHA-256 failed");
    return out;
}

}  // namespace wx::auth
