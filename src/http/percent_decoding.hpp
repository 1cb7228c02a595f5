#pragma once
// Percent-decoding (RFC 3986 §2.1) of path segments and query strings, and the strict UTF-8 check
// their decoded text must pass.

#include <optional>
#include <string>
#include <string_view>

namespace wx::http {

// What a literal '+' means: itself in a path, a space in a query (application/x-www-form-urlencoded,
// which is what URLSearchParams and HTML forms send; a '+' in a value is sent as %2B).
enum class Plus { literal, space };

// `in` with every %XX (either hex case) replaced by its byte; nullopt when a '%' is not followed by
// two hex digits. The bytes are not checked: see is_valid_utf8.
[[nodiscard]] std::optional<std::string> percent_decode(std::string_view in, Plus plus);

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF, no
// truncated or stray continuation bytes.
[[nodiscard]] bool is_valid_utf8(std::string_view s) noexcept;

}  // namespace wx::http
