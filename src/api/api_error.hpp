#pragma once
// The product's error vocabulary (API.md): one enumerator per stable `code`, and the one table in
// api_error.cpp that gives each its name, HTTP status and default message. The transport knows
// only the envelope (http/error_envelope.hpp) these render to.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/error_envelope.hpp"

namespace wx::api {

enum class ErrorCode : std::uint8_t {
    invalid_request,
    not_found,
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
    no_password,
    account_disabled,
    forbidden,
    conflict,
    count_,  // not a code: the number of codes, which the table is checked against
};

inline constexpr std::size_t kErrorCodeCount = static_cast<std::size_t>(ErrorCode::count_);

[[nodiscard]] std::string_view code_name(ErrorCode code) noexcept;
[[nodiscard]] http::status status_of(ErrorCode code) noexcept;
[[nodiscard]] std::string_view default_message(ErrorCode code) noexcept;
// True for the four failures of a protected endpoint's bearer token, which API.md answers with
// `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3).
[[nodiscard]] bool is_bearer_failure(ErrorCode code) noexcept;

// An error the API answers: a code from the table and what varies per occurrence.
struct ApiError {
    ErrorCode code = ErrorCode::internal;
    std::string message;  // for the client; empty: the table's default. Never a secret or internals.
    std::vector<http::FieldIssue> details;
    std::optional<int> wechat_errcode;  // rendered inside `error`
    std::optional<int> retry_after_seconds;
    std::string reason;  // for the operator (the access log); never sent, never a secret

    ApiError() = default;
    ApiError(ErrorCode c, std::string msg = {}) : code(c), message(std::move(msg)) {}

    [[nodiscard]] http::ErrorEnvelope envelope() const;
};

// Lets result<T, ApiError>::value() report a missing value (a bug) as an exception; found by
// argument-dependent lookup.
[[noreturn]] void throw_exception_from_error(ApiError const& e, boost::source_location const& loc);

}  // namespace wx::api
