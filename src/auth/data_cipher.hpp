#pragma once

#include <array>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wx::auth {

// An AES-256 key: WXLOGIN_DATA_KEY, decoded once by the configuration.
using DataKey = std::array<unsigned char, 32>;

// Seals small secrets (WeChat session_keys) for storage: AES-256-GCM with a random 96-bit nonce;
// the output is nonce || ciphertext || tag. The key never leaves this object.
// Thread safety: const member functions may be called concurrently.
class DataCipher {
public:
    explicit DataCipher(std::span<unsigned char const> key32);
    // Derives the key with HKDF-SHA256 from other key material (the JWT secret by default).
    [[nodiscard]] static DataCipher derive(std::string_view material);

    [[nodiscard]] std::vector<unsigned char> seal(std::string_view plaintext) const;
    [[nodiscard]] std::optional<std::string> open(std::span<unsigned char const> sealed) const;

private:
    std::vector<unsigned char> key_;
};

}  // namespace wx::auth
