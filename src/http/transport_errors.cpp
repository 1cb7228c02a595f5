#include "http/transport_errors.hpp"

namespace wx::http {
namespace {

ErrorEnvelope envelope(status s, std::string_view code, std::string message) {
    ErrorEnvelope e;
    e.http_status = s;
    e.code = code;
    e.message = std::move(message);
    return e;
}

}  // namespace

ErrorEnvelope not_found_error() { return envelope(status::not_found, "not_found", "no such resource"); }

ErrorEnvelope method_not_allowed_error(std::string allow) {
    auto e = envelope(status::method_not_allowed, "method_not_allowed", "this method is not allowed on this resource");
    e.allow = std::move(allow);
    return e;
}

ErrorEnvelope payload_too_large_error(std::size_t max_body_bytes) {
    return envelope(status::payload_too_large, "payload_too_large",
                    "the request body exceeds " + readable_size(max_body_bytes));
}

ErrorEnvelope header_too_large_error() {
    return envelope(status::request_header_fields_too_large, "header_too_large", "the request header is too large");
}

ErrorEnvelope invalid_request_error(std::string message, std::vector<FieldIssue> details) {
    auto e = envelope(status::bad_request, "invalid_request", std::move(message));
    e.details = std::move(details);
    return e;
}

ErrorEnvelope unsupported_media_type_error() {
    return envelope(status::unsupported_media_type, "unsupported_media_type",
                    "the body must be sent as Content-Type: application/json");
}

ErrorEnvelope overloaded_error(std::string message, int retry_after_seconds) {
    auto e = envelope(status::service_unavailable, "overloaded", std::move(message));
    e.retry_after_seconds = retry_after_seconds;
    return e;
}

ErrorEnvelope internal_error() { return envelope(status::internal_server_error, "internal", "internal error"); }

std::string readable_size(std::size_t bytes) {
    constexpr std::size_t kKiB = 1024;
    constexpr std::size_t kMiB = 1024 * kKiB;
    if (bytes >= kMiB && bytes % kMiB == 0) return std::to_string(bytes / kMiB) + " MiB";
    if (bytes >= kKiB && bytes % kKiB == 0) return std::to_string(bytes / kKiB) + " KiB";
    return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
}

}  // namespace wx::http
