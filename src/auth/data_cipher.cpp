#include "auth/data_cipher.hpp"

#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <memory>
#include <stdexcept>

#include "auth/encoding.hpp"

namespace wx::auth {
namespace {

constexpr std::size_t kNonce = 12;
constexpr std::size_t kTag = 16;

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* c) const { EVP_CIPHER_CTX_free(c); }
};
using CipherCtx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

}  // namespace

DataCipher::DataCipher(std::span<unsigned char const> key32) : key_(key32.begin(), key32.end()) {
    if (key_.size() != 32) throw std::invalid_argument("DataCipher needs a 32-byte key");
}

DataCipher DataCipher::derive(std::string_view material) {
    std::vector<unsigned char> key(32);
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx{EVP_PKEY_CTX_new_id(EVP_PKEY_HKDF, nullptr),
                                                                    &EVP_PKEY_CTX_free};
    static constexpr std::string_view kInfo = "wxlogin session_key at rest v1";
    std::size_t len = key.size();
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_hkdf_md(ctx.get(), EVP_sha256()) <= 0 ||
        EVP_PKEY_CTX_set1_hkdf_key(ctx.get(), reinterpret_cast<unsigned char const*>(material.data()),
                                   static_cast<int>(material.size())) <= 0 ||
        EVP_PKEY_CTX_add1_hkdf_info(ctx.get(), reinterpret_cast<unsigned char const*>(kInfo.data()),
                                    static_cast<int>(kInfo.size())) <= 0 ||
        EVP_PKEY_derive(ctx.get(), key.data(), &len) <= 0)
        throw std::runtime_error("HKDF key derivation failed");
    return DataCipher{key};
}

std::vector<unsigned char> DataCipher::seal(std::string_view plaintext) const {
    std::vector<unsigned char> out = random_bytes(kNonce);
    out.resize(kNonce + plaintext.size() + kTag);
    CipherCtx ctx{EVP_CIPHER_CTX_new()};
    int len = 0;
    if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), out.data()) != 1 ||
        EVP_EncryptUpdate(ctx.get(), out.data() + kNonce, &len,
                          reinterpret_cast<unsigned char const*>(plaintext.data()),
                          static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), out.data() + kNonce + len, &len) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTag, out.data() + kNonce + plaintext.size()) != 1)
        throw std::runtime_error("AES-256-GCM encryption failed");
    return out;
}

std::optional<std::string> DataCipher::open(std::span<unsigned char const> sealed) const {
    if (sealed.size() < kNonce + kTag) return std::nullopt;
    std::size_t n = sealed.size() - kNonce - kTag;
    std::string out(n, '\0');
    CipherCtx ctx{EVP_CIPHER_CTX_new()};
    int len = 0;
    std::vector<unsigned char> tag(sealed.end() - kTag, sealed.end());
    if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key_.data(), sealed.data()) != 1 ||
        EVP_DecryptUpdate(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len, sealed.data() + kNonce,
                          static_cast<int>(n)) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTag, tag.data()) != 1 ||
        EVP_DecryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()) + len, &len) != 1)
        return std::nullopt;
    return out;
}

}  // namespace wx::auth
