#pragma once
// Ed25519 keys for EdDSA access tokens (RFC 8037), loaded from the PEM file named by
// WXLOGIN_JWT_KEY_FILE. The first block is the signing key (a PKCS#8 PRIVATE KEY, as
// `openssl genpkey -algorithm ed25519` writes); later blocks (PRIVATE KEY or PUBLIC KEY) are
// previous keys kept only to verify tokens issued before a key rotation.

#include <array>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wx::auth {

// One Ed25519 public key with its RFC 7638 thumbprint, which is also its JWT `kid`.
// Thread safety: const member functions may be called concurrently.
class Ed25519PublicKey {
public:
    static constexpr std::size_t kSize = 32;
    static constexpr std::size_t kSignatureSize = 64;

    explicit Ed25519PublicKey(std::array<unsigned char, kSize> const& bytes);

    [[nodiscard]] std::array<unsigned char, kSize> const& bytes() const { return bytes_; }
    [[nodiscard]] std::string const& x() const { return x_; }  // base64url of bytes(), the JWK "x"
    [[nodiscard]] std::string const& kid() const { return kid_; }
    [[nodiscard]] bool verify(std::string_view message, std::span<unsigned char const, kSignatureSize> sig) const;

private:
    std::array<unsigned char, kSize> bytes_;
    std::string x_;
    std::string kid_;
};

// The signing key and the verification-only previous keys. The private key is kept in
// libsodium's 64-byte form and wiped when the set is destroyed; previous keys keep no private part.
// Thread safety: const member functions may be called concurrently.
class Ed25519KeySet {
public:
    // Throws std::runtime_error naming the file and the 1-based block index, never key material.
    [[nodiscard]] static Ed25519KeySet load_file(std::filesystem::path const& file);
    // As load_file, from PEM text already in memory; `origin` names it in error messages.
    [[nodiscard]] static Ed25519KeySet from_pem(std::string_view pem, std::string_view origin);

    Ed25519KeySet(Ed25519KeySet&& other) noexcept;
    Ed25519KeySet& operator=(Ed25519KeySet&& other) noexcept;
    Ed25519KeySet(Ed25519KeySet const&) = delete;
    Ed25519KeySet& operator=(Ed25519KeySet const&) = delete;
    ~Ed25519KeySet();

    // Signing key first, then the previous keys in file order.
    [[nodiscard]] std::span<Ed25519PublicKey const> keys() const { return keys_; }
    [[nodiscard]] Ed25519PublicKey const& signing_key() const { return keys_.front(); }
    [[nodiscard]] std::array<unsigned char, Ed25519PublicKey::kSignatureSize> sign(std::string_view message) const;

private:
    Ed25519KeySet() = default;

    std::array<unsigned char, 64> secret_key_{};  // seed || public key, as crypto_sign_detached wants
    std::vector<Ed25519PublicKey> keys_;
};

}  // namespace wx::auth
