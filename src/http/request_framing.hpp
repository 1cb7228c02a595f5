#pragma once
// The framing rules of RFC 9112 that Beast's parser leaves to its user. A request that breaks one
// is answered 400 and the connection closed: a front proxy that framed it differently would
// otherwise see its body bytes as a second, smuggled request (security-anchors.md §3).

#include <optional>
#include <string>
#include <string_view>

#include "http/types.hpp"

namespace wx::http {

// Where the header section of the first request in `bytes` ends (one past its blank line), or
// npos while it is incomplete.
[[nodiscard]] std::size_t header_section_end(std::string_view bytes) noexcept;

// True when a complete header section folds a field value over lines (obs-fold, RFC 9112 §5.2).
// Beast would unfold it; we refuse it, so that no two readers of one request can disagree.
[[nodiscard]] bool has_obs_fold(std::string_view header_section) noexcept;

// Why a parsed request header may not be served, or nullopt. Checks Transfer-Encoding (only a
// single `chunked`, only in HTTP/1.1), Content-Length (one field, one decimal number) and Host
// (exactly one in HTTP/1.1, at most one in HTTP/1.0).
[[nodiscard]] std::optional<std::string_view> framing_violation(RequestHeader const& header);

// The origin-form of an absolute-form target ("http://host/a?b" -> "/a?b", "http://host" -> "/"),
// or nullopt when the target is not absolute-form (RFC 9112 §3.2.2: a server must accept it).
[[nodiscard]] std::optional<std::string> origin_form_of(std::string_view target);

}  // namespace wx::http
