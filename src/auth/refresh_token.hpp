#pragma once

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
// 128 random bits as hex: session ids and token ids.
[[nodiscard]] std::string new_id();

}  // namespace wx::auth
