#pragma once
// The error answers the transport gives by itself, before or around any handler: unknown path,
// wrong method, oversized or malformed requests and bodies, connection overload, a bug. Their
// codes are part of API.md like the product's own (api/api_error.hpp), which may answer the
// shared ones too (invalid_request, not_found, overloaded, internal) with the same name and status.

#include <cstddef>
#include <string>
#include <vector>

#include "http/error_envelope.hpp"

namespace wx::http {

[[nodiscard]] ErrorEnvelope not_found_error();                            // 404 not_found
[[nodiscard]] ErrorEnvelope method_not_allowed_error(std::string allow);  // 405 method_not_allowed + Allow
// 413 payload_too_large; the message names the configured limit (ServerConfig::max_body_bytes).
[[nodiscard]] ErrorEnvelope payload_too_large_error(std::size_t max_body_bytes);
[[nodiscard]] ErrorEnvelope header_too_large_error();  // 431 header_too_large
// 400 invalid_request: a malformed request, query or body; `details` for field problems.
[[nodiscard]] ErrorEnvelope invalid_request_error(std::string message, std::vector<FieldIssue> details = {});
[[nodiscard]] ErrorEnvelope unsupported_media_type_error();  // 415 unsupported_media_type
[[nodiscard]] ErrorEnvelope overloaded_error(std::string message, int retry_after_seconds);  // 503 overloaded
[[nodiscard]] ErrorEnvelope internal_error();                                                // 500 internal

// "64 KiB", "1 MiB", "1000 bytes": a size as a person reads it.
[[nodiscard]] std::string readable_size(std::size_t bytes);

}  // namespace wx::http
