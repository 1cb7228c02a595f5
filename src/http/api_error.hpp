#pragma once
// The public error vocabulary of API.md: one enumerator per stable `code`, its HTTP status, and
// the envelope every error answer carries.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/types.hpp"

namespace wx::http {

enum class ErrorCode {
    invalid_request,
    unsupported_media_type,
    payload_too_large,
    header_too_large,
    not_found,
    method_not_allowed,
    unauthorized,
    token_invalid,
    token_expired,
    token_revoked,
    rate_limited,
    too_many_attempts,
    overloaded,
    unavailable,
    internal,
    wechat_code_invalid,
    wechat_code_used,
    wechat_user_blocked,
    wechat_rate_limited,
    wechat_misconfigured,
    wechat_unavailable,
    wechat_already_bound,
    wechat_decrypt_failed,
    wechat_session_missing,
    username_taken,
    email_taken,
    invalid_credentials,
    refresh_token_invalid,
    refresh_token_expired,
    refresh_token_reused,
};

struct FieldIssue {
    std::string field;
    std::string reason;
};

struct ApiError {
    ErrorCode code = ErrorCode::internal;
    std::string message;  // human readable; never carries a secret or internals
    std::vector<FieldIssue> details;
    std::optional<int> wechat_errcode;
    std::optional<int> retry_after_seconds;
    std::string allow;  // for 405

    ApiError() = default;
    ApiError(ErrorCode c, std::string msg = {}) : code(c), message(std::move(msg)) {}
};

[[nodiscard]] std::string_view code_name(ErrorCode code) noexcept;
[[nodiscard]] status status_of(ErrorCode code) noexcept;
[[nodiscard]] std::string_view default_message(ErrorCode code) noexcept;

// The JSON envelope {"error":{...},"request_id":...} with status and headers set.
[[nodiscard]] Response error_response(ApiError const& error,
                                      std::string_view request_id,
                                      unsigned version = 11,
                                      bool keep_alive = true);

}  // namespace wx::http
