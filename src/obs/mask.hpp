#pragma once
// Masking helpers: every log call that could carry a secret, a token, a phone number or an
// e-mail address passes the value through one of these first.

#include <string>
#include <string_view>

namespace wx::obs {

// App secrets, session keys, passwords: nothing of the value, only that it was there.
[[nodiscard]] std::string mask_secret(std::string_view value);
// Access and refresh tokens: the first 4 characters and the length, enough to tell two apart.
[[nodiscard]] std::string mask_token(std::string_view token);
// "+8613812345678" -> "+86138****5678", "13812345678" -> "138****5678": the 4 digits before
// the last 4 are hidden.
[[nodiscard]] std::string mask_phone(std::string_view phone);
// "alice@example.com" -> "a***@example.com".
[[nodiscard]] std::string mask_email(std::string_view email);
// openids are personal identifiers: the first 6 characters survive.
[[nodiscard]] std::string mask_openid(std::string_view openid);
// A URL whose query may carry credentials: values of secret, js_code, code, access_token,
// refresh_token, password and session_key are replaced by "***".
[[nodiscard]] std::string mask_url(std::string_view url);
// A client address with its host part hidden: IPv4 "203.0.113.7" -> "203.0.113.x"; IPv6 keeps
// its first 48 bits, "2001:db8:1:2::7" -> "2001:db8:1::x" (an IPv4-mapped one is shown as IPv4).
// "" for something that is not an address.
[[nodiscard]] std::string mask_ip(std::string_view address);

}  // namespace wx::obs
