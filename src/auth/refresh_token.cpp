#include "auth/refresh_token.hpp"

#include <sodium.h>

#include "auth/encoding.hpp"

namespace wx::auth {

std::vector<unsigned char> hash_refresh_token(std::string_view token) {
    std::vector<unsigned char> out(crypto_hash_sha256_BYTES);
    crypto_hash_sha256(out.data(), reinterpret_cast<unsigned char const*>(token.data()), token.size());
    return out;
}

bool looks_like_refresh_token(std::string_view token) noexcept {
    constexpr std::size_t kEncodedLength = 43;  // 32 bytes, base64url without padding
    if (token.size() != kEncodedLength) return false;
    for (char c : token) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
        if (!ok) return false;
    }
    return true;
}

RefreshToken new_refresh_token() {
    RefreshToken t;
    t.token = base64url_encode(random_bytes(32));
    t.hash = hash_refresh_token(t.token);
    return t;
}

std::string new_id() { return hex_encode(random_bytes(16)); }

std::string new_session_id(std::int64_t now_ms) {
    // 48 bits of milliseconds, big-endian, then 80 random bits (the layout of a UUIDv7). Ids made
    // later sort later, so the database appends each new session to the right edge of its id
    // indexes instead of dirtying a random page of them per login.
    auto bytes = random_bytes(16);
    auto ms = static_cast<std::uint64_t>(now_ms);
    for (int i = 5; i >= 0; --i) {
        bytes[static_cast<std::size_t>(i)] = static_cast<unsigned char>(ms & 0xFF);
        ms >>= 8;
    }
    return hex_encode(bytes);
}

}  // namespace wx::auth
