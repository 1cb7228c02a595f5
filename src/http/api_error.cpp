#include "http/api_error.hpp"

#include <boost/beast/http/field.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace wx::http {

std::string_view code_name(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::invalid_request:
            return "invalid_request";
        case ErrorCode::unsupported_media_type:
            return "unsupported_media_type";
        case ErrorCode::payload_too_large:
            return "payload_too_large";
        case ErrorCode::header_too_large:
            return "header_too_large";
        case ErrorCode::not_found:
            return "not_found";
        case ErrorCode::method_not_allowed:
            return "method_not_allowed";
        case ErrorCode::unauthorized:
            return "unauthorized";
        case ErrorCode::token_invalid:
            return "token_invalid";
        case ErrorCode::token_expired:
            return "token_expired";
        case ErrorCode::token_revoked:
            return "token_revoked";
        case ErrorCode::rate_limited:
            return "rate_limited";
        case ErrorCode::too_many_attempts:
            return "too_many_attempts";
        case ErrorCode::overloaded:
            return "overloaded";
        case ErrorCode::unavailable:
            return "unavailable";
        case ErrorCode::internal:
            return "internal";
        case ErrorCode::wechat_code_invalid:
            return "wechat_code_invalid";
        case ErrorCode::wechat_code_used:
            return "wechat_code_used";
        case ErrorCode::wechat_user_blocked:
            return "wechat_user_blocked";
        case ErrorCode::wechat_rate_limited:
            return "wechat_rate_limited";
        case ErrorCode::wechat_misconfigured:
            return "wechat_misconfigured";
        case ErrorCode::wechat_unavailable:
            return "wechat_unavailable";
        case ErrorCode::wechat_already_bound:
            return "wechat_already_bound";
        case ErrorCode::wechat_decrypt_failed:
            return "wechat_decrypt_failed";
        case ErrorCode::wechat_session_missing:
            return "wechat_session_missing";
        case ErrorCode::username_taken:
            return "username_taken";
        case ErrorCode::email_taken:
            return "email_taken";
        case ErrorCode::invalid_credentials:
            return "invalid_credentials";
        case ErrorCode::refresh_token_invalid:
            return "refresh_token_invalid";
        case ErrorCode::refresh_token_expired:
            return "refresh_token_expired";
        case ErrorCode::refresh_token_reused:
            return "refresh_token_reused";
    }
    return "internal";
}

status status_of(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::invalid_request:
            return status::bad_request;
        case ErrorCode::unsupported_media_type:
            return status::unsupported_media_type;
        case ErrorCode::payload_too_large:
            return status::payload_too_large;
        case ErrorCode::header_too_large:
            return status::request_header_fields_too_large;
        case ErrorCode::not_found:
            return status::not_found;
        case ErrorCode::method_not_allowed:
            return status::method_not_allowed;
        case ErrorCode::unauthorized:
            return status::unauthorized;
        case ErrorCode::token_invalid:
            return status::unauthorized;
        case ErrorCode::token_expired:
            return status::unauthorized;
        case ErrorCode::token_revoked:
            return status::unauthorized;
        case ErrorCode::rate_limited:
            return status::too_many_requests;
        case ErrorCode::too_many_attempts:
            return status::too_many_requests;
        case ErrorCode::overloaded:
            return status::service_unavailable;
        case ErrorCode::unavailable:
            return status::service_unavailable;
        case ErrorCode::internal:
            return status::internal_server_error;
        case ErrorCode::wechat_code_invalid:
            return status::unauthorized;
        case ErrorCode::wechat_code_used:
            return status::unauthorized;
        case ErrorCode::wechat_user_blocked:
            return status::forbidden;
        case ErrorCode::wechat_rate_limited:
            return status::too_many_requests;
        case ErrorCode::wechat_misconfigured:
            return status::internal_server_error;
        case ErrorCode::wechat_unavailable:
            return status::bad_gateway;
        case ErrorCode::wechat_already_bound:
            return status::conflict;
        case ErrorCode::wechat_decrypt_failed:
            return status::bad_request;
        case ErrorCode::wechat_session_missing:
            return status::conflict;
        case ErrorCode::username_taken:
            return status::conflict;
        case ErrorCode::email_taken:
            return status::conflict;
        case ErrorCode::invalid_credentials:
            return status::unauthorized;
        case ErrorCode::refresh_token_invalid:
            return status::unauthorized;
        case ErrorCode::refresh_token_expired:
            return status::unauthorized;
        case ErrorCode::refresh_token_reused:
            return status::unauthorized;
    }
    return status::internal_server_error;
}

std::string_view default_message(ErrorCode code) noexcept {
    switch (code) {
        case ErrorCode::invalid_request:
            return "the request is invalid";
        case ErrorCode::unsupported_media_type:
            return "the body must be sent as Content-Type: application/json";
        case ErrorCode::payload_too_large:
            return "the request body exceeds 64 KiB";
        case ErrorCode::header_too_large:
            return "the request header is too large";
        case ErrorCode::not_found:
            return "no such resource";
        case ErrorCode::method_not_allowed:
            return "this method is not allowed on this resource";
        case ErrorCode::unauthorized:
            return "a Bearer access token is required";
        case ErrorCode::token_invalid:
            return "the access token is invalid";
        case ErrorCode::token_expired:
            return "the access token has expired";
        case ErrorCode::token_revoked:
            return "the access token has been revoked";
        case ErrorCode::rate_limited:
            return "too many requests; retry later";
        case ErrorCode::too_many_attempts:
            return "too many failed attempts; retry later";
        case ErrorCode::overloaded:
            return "the server is overloaded; retry later";
        case ErrorCode::unavailable:
            return "a required dependency is unavailable; retry later";
        case ErrorCode::internal:
            return "internal error";
        case ErrorCode::wechat_code_invalid:
            return "the WeChat login code is invalid or expired";
        case ErrorCode::wechat_code_used:
            return "the WeChat login code has already been used";
        case ErrorCode::wechat_user_blocked:
            return "WeChat refused this user (high risk)";
        case ErrorCode::wechat_rate_limited:
            return "WeChat rate limit reached; retry later";
        case ErrorCode::wechat_misconfigured:
            return "the WeChat app credentials are misconfigured";
        case ErrorCode::wechat_unavailable:
            return "WeChat is unavailable; retry with a new code";
        case ErrorCode::wechat_already_bound:
            return "this WeChat identity belongs to another user";
        case ErrorCode::wechat_decrypt_failed:
            return "the encrypted data could not be decrypted; log in again";
        case ErrorCode::wechat_session_missing:
            return "no WeChat session is stored for this user; log in again";
        case ErrorCode::username_taken:
            return "the username is taken";
        case ErrorCode::email_taken:
            return "the email is taken";
        case ErrorCode::invalid_credentials:
            return "invalid username or password";
        case ErrorCode::refresh_token_invalid:
            return "the refresh token is invalid";
        case ErrorCode::refresh_token_expired:
            return "the refresh token has expired";
        case ErrorCode::refresh_token_reused:
            return "the refresh token was already used; the session is revoked";
    }
    return "internal error";
}

Response error_response(ApiError const& error, std::string_view request_id, unsigned version, bool keep_alive) {
    boost::json::object err;
    err["code"] = code_name(error.code);
    err["message"] = error.message.empty() ? default_message(error.code) : std::string_view{error.message};
    if (!error.details.empty()) {
        boost::json::array details;
        for (auto const& d : error.details)
            details.push_back(boost::json::object{{"field", d.field}, {"reason", d.reason}});
        err["details"] = std::move(details);
    }
    if (error.wechat_errcode) err["wechat_errcode"] = *error.wechat_errcode;
    boost::json::object body;
    body["error"] = std::move(err);
    body["request_id"] = request_id;

    Response res{status_of(error.code), version};
    res.set(bhttp::field::content_type, "application/json");
    res.set(bhttp::field::cache_control, "no-store");
    bool const bearer_failure = error.code == ErrorCode::unauthorized || error.code == ErrorCode::token_invalid ||
                                error.code == ErrorCode::token_expired || error.code == ErrorCode::token_revoked;
    if (bearer_failure)  // RFC 6750 §3, in the form API.md fixes
        res.set(bhttp::field::www_authenticate, "Bearer error=\"invalid_token\"");
    if (error.retry_after_seconds) res.set(bhttp::field::retry_after, std::to_string(*error.retry_after_seconds));
    if (!error.allow.empty()) res.set(bhttp::field::allow, error.allow);
    res.keep_alive(keep_alive);
    res.body() = boost::json::serialize(body);
    res.prepare_payload();
    return res;
}

}  // namespace wx::http
