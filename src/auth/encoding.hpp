#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace wx::auth {

// base64url without padding (RFC 4648 §5). Table-driven and fast, for public data such as JWT
// segments; it is not constant-time, so do not feed it secrets.
[[nodiscard]] std::string base64url_encode(std::span<unsigned char const> bytes);
[[nodiscard]] std::optional<std::string> base64url_decode(std::string_view text);
// base64url without padding in constant time (libsodium), for secrets such as refresh tokens.
[[nodiscard]] std::string secret_base64url_encode(std::span<unsigned char const> bytes);
[[nodiscard]] std::optional<std::vector<unsigned char>> secret_base64url_decode(std::string_view text);
[[nodiscard]] std::string base64_encode(std::span<unsigned char const> bytes);
// Standard alphabet with padding, as WeChat uses for session_key, iv and encryptedData.
[[nodiscard]] std::optional<std::vector<unsigned char>> base64_decode(std::string_view text);
[[nodiscard]] std::string hex_encode(std::span<unsigned char const> bytes);
[[nodiscard]] std::vector<unsigned char> random_bytes(std::size_t n);

}  // namespace wx::auth
