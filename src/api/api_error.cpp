#include "api/api_error.hpp"

#include <array>
#include <stdexcept>

namespace wx::api {
namespace {

using http::status;

struct ErrorInfo {
    ErrorCode code;
    std::string_view name;
    status http_status;
    std::string_view message;
};

// The product's error vocabulary, in enumerator order. The codes the transport also answers by
// itself (invalid_request, not_found, overloaded, internal) carry the same name and status as
// there (http/transport_errors.cpp); a unit test holds the two together.
constexpr std::array<ErrorInfo, kErrorCodeCount> kErrors{{
    {ErrorCode::invalid_request, "invalid_request", status::bad_request, "the request is invalid"},
    {ErrorCode::not_found, "not_found", status::not_found, "no such resource"},
    {ErrorCode::unauthorized, "unauthorized", status::unauthorized, "a Bearer access token is required"},
    {ErrorCode::token_invalid, "token_invalid", status::unauthorized, "the access token is invalid"},
    {ErrorCode::token_expired, "token_expired", status::unauthorized, "the access token has expired"},
    {ErrorCode::token_revoked, "token_revoked", status::unauthorized, "the access token has been revoked"},
    {ErrorCode::rate_limited, "rate_limited", status::too_many_requests, "too many requests; retry later"},
    {ErrorCode::too_many_attempts, "too_many_attempts", status::too_many_requests,
     "too many failed attempts; retry later"},
    {ErrorCode::overloaded, "overloaded", status::service_unavailable, "the server is overloaded; retry later"},
    {ErrorCode::unavailable, "unavailable", status::service_unavailable,
     "a required dependency is unavailable; retry later"},
    {ErrorCode::internal, "internal", status::internal_server_error, "internal error"},
    {ErrorCode::wechat_code_invalid, "wechat_code_invalid", status::unauthorized,
     "the WeChat login code is invalid or expired"},
    {ErrorCode::wechat_code_used, "wechat_code_used", status::unauthorized,
     "the WeChat login code has already been used"},
    {ErrorCode::wechat_user_blocked, "wechat_user_blocked", status::forbidden, "WeChat refused this user (high risk)"},
    {ErrorCode::wechat_rate_limited, "wechat_rate_limited", status::too_many_requests,
     "WeChat rate limit reached; retry later"},
    {ErrorCode::wechat_misconfigured, "wechat_misconfigured", status::internal_server_error,
     "the WeChat app credentials are misconfigured"},
    {ErrorCode::wechat_unavailable, "wechat_unavailable", status::bad_gateway,
     "WeChat is unavailable; retry with a new code"},
    {ErrorCode::wechat_already_bound, "wechat_already_bound", status::conflict,
     "this WeChat identity belongs to another user"},
    {ErrorCode::wechat_decrypt_failed, "wechat_decrypt_failed", status::bad_request,
     "the encrypted data could not be decrypted; log in again"},
    {ErrorCode::wechat_session_missing, "wechat_session_missing", status::conflict,
     "no WeChat session is stored for this user; log in again"},
    {ErrorCode::username_taken, "username_taken", status::conflict, "the username is taken"},
    {ErrorCode::email_taken, "email_taken", status::conflict, "the email is taken"},
    {ErrorCode::invalid_credentials, "invalid_credentials", status::unauthorized, "invalid username or password"},
    {ErrorCode::refresh_token_invalid, "refresh_token_invalid", status::unauthorized, "the refresh token is invalid"},
    {ErrorCode::refresh_token_expired, "refresh_token_expired", status::unauthorized, "the refresh token has expired"},
    {ErrorCode::refresh_token_reused, "refresh_token_reused", status::unauthorized,
     "the refresh token was already used; the session is revoked"},
    {ErrorCode::no_password, "no_password", status::conflict, "this account has no password; it logs in with WeChat"},
    {ErrorCode::account_disabled, "account_disabled", status::forbidden, "this account is disabled"},
    {ErrorCode::forbidden, "forbidden", status::forbidden, "the caller is not allowed to do this"},
    {ErrorCode::conflict, "conflict", status::conflict, "the request conflicts with the account's state"},
}};

constexpr bool table_is_complete_and_in_order() {
    for (std::size_t i = 0; i < kErrors.size(); ++i)
        if (static_cast<std::size_t>(kErrors[i].code) != i || kErrors[i].name.empty() || kErrors[i].message.empty())
            return false;
    return true;
}
// std::array<..., kErrorCodeCount> with fewer initialisers would leave zeroed rows: caught here.
static_assert(table_is_complete_and_in_order(), "kErrors must have one row per ErrorCode, in enumerator order");

constexpr std::string_view kBearerChallenge = "Bearer error=\"invalid_token\"";

ErrorInfo const& info(ErrorCode code) noexcept {
    auto i = static_cast<std::size_t>(code);
    return kErrors[i < kErrors.size() ? i : static_cast<std::size_t>(ErrorCode::internal)];
}

}  // namespace

std::string_view code_name(ErrorCode code) noexcept { return info(code).name; }
http::status status_of(ErrorCode code) noexcept { return info(code).http_status; }
std::string_view default_message(ErrorCode code) noexcept { return info(code).message; }

bool is_bearer_failure(ErrorCode code) noexcept {
    return code == ErrorCode::unauthorized || code == ErrorCode::token_invalid || code == ErrorCode::token_expired ||
           code == ErrorCode::token_revoked;
}

http::ErrorEnvelope ApiError::envelope() const {
    ErrorInfo const& row = info(code);
    http::ErrorEnvelope e;
    e.http_status = row.http_status;
    e.code = row.name;
    e.message = message.empty() ? std::string{row.message} : message;
    e.details = details;
    if (wechat_errcode) e.extra["wechat_errcode"] = *wechat_errcode;
    e.retry_after_seconds = retry_after_seconds;
    if (is_bearer_failure(code)) e.www_authenticate = kBearerChallenge;
    e.reason = reason;
    return e;
}

void throw_exception_from_error(ApiError const& e, boost::source_location const&) {
    throw std::logic_error("result<T, ApiError> accessed without a value: " + std::string{code_name(e.code)});
}

}  // namespace wx::api
