#pragma once
// The API.md rules for usernames, passwords and e-mail addresses, and the one canonical form of
// each identifier used for uniqueness, lookup and lockout keys. Inputs are UTF-8 (the JSON parser
// has checked it); "characters" are Unicode code points.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wx::auth {

// The `reason` of a validation `details` entry ({"field", "reason"}).
namespace reason {
inline constexpr std::string_view too_short = "too_short";
inline constexpr std::string_view too_long = "too_long";
inline constexpr std::string_view invalid_characters = "invalid_characters";
inline constexpr std::string_view invalid_start = "invalid_start";
inline constexpr std::string_view invalid_email = "invalid_email";
}  // namespace reason

inline constexpr std::size_t kUsernameMinChars = 3;
inline constexpr std::size_t kUsernameMaxChars = 32;
inline constexpr std::size_t kPasswordMinChars = 8;
inline constexpr std::size_t kPasswordMaxChars = 128;  // so at most 512 bytes ever reach Argon2
inline constexpr std::size_t kEmailMaxChars = 254;
inline constexpr std::size_t kEmailLocalMaxChars = 64;

// Each answers the first rule the value breaks, or nullopt when it is acceptable. Length is
// checked first, so an oversized value is never scanned further.

// 3-32 of `A-Z a-z 0-9 _ . -`, starting with a letter, digit or `_`:
// too_short, too_long, invalid_characters, invalid_start.
[[nodiscard]] std::optional<std::string_view> username_problem(std::string_view username);

// 8-128 characters, any Unicode, no composition rules: too_short, too_long, invalid_characters.
// Control characters (U+0000-U+001F, U+007F-U+009F) are refused at registration: nobody can type
// them, NUL truncates in C APIs, and ASVS asks only that printable characters be accepted.
// At login, only the length bound matters (see password_too_long); no other rule applies there.
[[nodiscard]] std::optional<std::string_view> password_problem(std::string_view password);

// True when a login password cannot be one we accepted at registration because it is longer than
// 128 characters: answer 401 invalid_credentials without spending a hash on it.
[[nodiscard]] bool password_too_long(std::string_view password);

// A plausible address, at most 254 characters: too_long, invalid_email. Exactly one `@`; a local
// part of 1-64 printable ASCII characters without spaces, quotes or specials (RFC 5322 dot-atom:
// letters, digits, !#$%&'*+-/=?^_`{|}~ and single inner dots); a domain of at least two
// dot-separated labels of letters, digits and inner hyphens, each 1-63 long. Non-ASCII addresses
// are refused (clients can send an IDN domain as xn--).
[[nodiscard]] std::optional<std::string_view> email_problem(std::string_view email);

// Canonical keys, used everywhere a username or an e-mail address is compared: uniqueness,
// lookup, lockout and rate-limit keys. ASCII lowercase of the whole value (usernames are ASCII;
// mailbox local parts are in practice case-insensitive).
[[nodiscard]] std::string username_key(std::string_view username);
[[nodiscard]] std::string email_key(std::string_view email);

// A login identifier names an account by e-mail when it contains '@' (usernames cannot).
[[nodiscard]] bool is_email_identifier(std::string_view identifier);

// Unicode code points in UTF-8 text (the bytes that are not continuation bytes).
[[nodiscard]] std::size_t count_code_points(std::string_view utf8);

}  // namespace wx::auth
