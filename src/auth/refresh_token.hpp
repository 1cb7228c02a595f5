#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wx::auth {

// An opaque refresh token (256 random bits, base64url) and the hash under which it is stored.
struct RefreshToken {
    std::string token;                // handed to the client once; never stored or logged
    std::vector<unsigned char> hash;  // SHA-256 of the token: what the database keeps
};

[[nodiscard]] RefreshToken new_refresh_token();
[[nodiscard]] std::vector<unsigned char> hash_refresh_token(std::string_view token);
// Whether `token` has the shape new_refresh_token() produces (43 base64url characters); anything
// else is refused without a database lookup.
[[nodiscard]] bool looks_like_refresh_token(std::string_view token) noexcept;
// 128 random bits as hex: token ids (jti).
[[nodiscard]] std::string new_id();
// A session id: 32 hex digits like new_id(), of which the first 12 are the creation time in
// milliseconds and the other 80 bits random, so that ids sort by creation (see refresh_token.cpp).
[[nodiscard]] std::string new_session_id(std::int64_t now_ms);

}  // namespace wx::auth
