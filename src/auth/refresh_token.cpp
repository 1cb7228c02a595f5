#include "auth/refresh_token.hpp"

#include <sodium.h>

#include <algorithm>
#include <span>

#include "auth/encoding.hpp"

namespace wx::auth {
namespace {

// A token is 48 bytes as base64url without padding (64 characters): a 16-byte id laid out like a
// session id (48 bits of milliseconds, then 80 random bits) and 32 random bytes. The database
// keeps the id followed by the token's SHA-256. Keys of new tokens therefore sort by creation and
// every login appends to the right edge of refresh_tokens' primary key; a key that was only a
// hash put each login's entry on a random page of that index, one of the three pages a login
// dirtied: 118 -> 88 us of CPU per login in an A/B (docs/performance.md). The id is no secret:
// the 256 random bits behind it are, and the database holds only their hash.
constexpr std::size_t kIdBytes = 16;
constexpr std::size_t kSecretBytes = 32;
constexpr std::size_t kTokenLength = 64;        // (16 + 32) bytes in base64url
constexpr std::size_t kLegacyTokenLength = 43;  // 32 random bytes: tokens issued before the id

// The key of `token`, whose decoded bytes start with `id` (empty for the earlier layout).
std::vector<unsigned char> key_of(std::span<unsigned char const> id, std::string_view token) {
    std::vector<unsigned char> key(id.size() + crypto_hash_sha256_BYTES);
    std::copy(id.begin(), id.end(), key.begin());
    crypto_hash_sha256(key.data() + id.size(), reinterpret_cast<unsigned char const*>(token.data()), token.size());
    return key;
}

// 48 bits of milliseconds, big-endian, then random bytes: the layout of a UUIDv7's first 128 bits.
std::vector<unsigned char> time_ordered_bytes(std::int64_t now_ms, std::size_t size) {
    auto bytes = random_bytes(size);
    auto ms = static_cast<std::uint64_t>(now_ms);
    for (int i = 5; i >= 0; --i) {
        bytes[static_cast<std::size_t>(i)] = static_cast<unsigned char>(ms & 0xFF);
        ms >>= 8;
    }
    return bytes;
}

}  // namespace

std::vector<unsigned char> refresh_token_key(std::string_view token) {
    if (token.size() == kTokenLength) {
        // Constant-time decoding: the token is a secret.
        if (auto bytes = secret_base64url_decode(token); bytes && bytes->size() == kIdBytes + kSecretBytes) {
            auto key = key_of(std::span{*bytes}.first(kIdBytes), token);
            sodium_memzero(bytes->data(), bytes->size());
            return key;
        }
    }
    return key_of({}, token);
}

bool looks_like_refresh_token(std::string_view token) noexcept {
    if (token.size() != kTokenLength && token.size() != kLegacyTokenLength) return false;
    return std::ranges::all_of(token, [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
    });
}

RefreshToken new_refresh_token(std::int64_t now_ms) {
    auto bytes = time_ordered_bytes(now_ms, kIdBytes + kSecretBytes);
    RefreshToken t;
    t.token = secret_base64url_encode(bytes);
    t.key = key_of(std::span{bytes}.first(kIdBytes), t.token);  // not decoded again from the token
    sodium_memzero(bytes.data(), bytes.size());
    return t;
}

std::string new_id() { return hex_encode(random_bytes(16)); }

std::string new_session_id(std::int64_t now_ms) {
    // Ids made later sort later, so the database appends each new session to the right edge of
    // its id indexes instead of dirtying a random page of them per login.
    return hex_encode(time_ordered_bytes(now_ms, 16));
}

}  // namespace wx::auth
