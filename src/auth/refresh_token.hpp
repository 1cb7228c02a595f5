#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wx::auth {

// An opaque refresh token and the key under which the database keeps it (see refresh_token.cpp
// for the layout).
struct RefreshToken {
    std::string token;               // handed to the client once; never stored or logged
    std::vector<unsigned char> key;  // refresh_token_key(token): what the database keeps
};

// A new token made at `now_ms` (wall-clock milliseconds; only the order of keys depends on it).
[[nodiscard]] RefreshToken new_refresh_token(std::int64_t now_ms);
// The storage key of a presented token: the token's id followed by its SHA-256 for the current
// layout, the bare SHA-256 for anything else (tokens issued before the id existed).
[[nodiscard]] std::vector<unsigned char> refresh_token_key(std::string_view token);
// Whether `token` has the shape of a token this or an earlier version issued (64 or 43 base64url
// characters); anything else is refused without a database lookup.
[[nodiscard]] bool looks_like_refresh_token(std::string_view token) noexcept;
// 128 random bits as hex: token ids (jti).
[[nodiscard]] std::string new_id();
// A session id: 32 hex digits like new_id(), of which the first 12 are the creation time in
// milliseconds and the other 80 bits random, so that ids sort by creation (see refresh_token.cpp).
[[nodiscard]] std::string new_session_id(std::int64_t now_ms);

}  // namespace wx::auth
