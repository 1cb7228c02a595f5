#include "api/error_mapping.hpp"

#include "auth/jwt.hpp"
#include "auth/password_hasher.hpp"
#include "obs/log.hpp"
#include "store/errors.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {
namespace {

using http::ApiError;
using http::ErrorCode;

ApiError from_wechat_errcode(int errcode) {
    ApiError e;
    switch (errcode) {
        case wechat::errcode::invalid_code:
            e.code = ErrorCode::wechat_code_invalid;
            break;
        case wechat::errcode::code_used:
            e.code = ErrorCode::wechat_code_used;
            break;
        case wechat::errcode::high_risk_user:
            e.code = ErrorCode::wechat_user_blocked;
            break;
        case wechat::errcode::rate_limited:
            e.code = ErrorCode::wechat_rate_limited;
            e.retry_after_seconds = 60;  // WeChat's quota is per minute
            break;
        case wechat::errcode::invalid_appid:
        case wechat::errcode::invalid_appsecret:
        case wechat::errcode::missing_appid:
        case wechat::errcode::missing_secret:
            e.code = ErrorCode::wechat_misconfigured;
            obs::log_error("wechat_misconfigured", {{"wechat_errcode", errcode}});
            break;
        default:
            e.code = ErrorCode::wechat_unavailable;
            break;
    }
    e.wechat_errcode = errcode;
    return e;
}

}  // namespace

ApiError to_api_error(error_code const& ec) {
    if (ec.category() == wechat::errcode_category()) return from_wechat_errcode(ec.value());
    if (ec.category() == wechat::transport_category()) {
        obs::log_warn("wechat_unavailable", {{"reason", ec.message()}});
        return ApiError{ErrorCode::wechat_unavailable};
    }
    if (ec.category() == auth::jwt_category())
        return ApiError{ec == auth::JwtErrc::expired ? ErrorCode::token_expired : ErrorCode::token_invalid};
    if (ec == auth::PasswordErrc::overloaded) {
        ApiError e{ErrorCode::overloaded};
        e.retry_after_seconds = 1;
        return e;
    }
    if (ec.category() == store::category()) {
        ApiError e;
        switch (static_cast<store::Errc>(ec.value())) {
            case store::Errc::overloaded:
                e.code = ErrorCode::overloaded;
                e.retry_after_seconds = 1;
                return e;
            case store::Errc::busy:
            case store::Errc::unavailable:
                obs::log_error("database_unavailable", {{"reason", ec.message()}});
                e.code = ErrorCode::unavailable;
                e.retry_after_seconds = 1;
                return e;
            case store::Errc::not_found:
            case store::Errc::conflict:
            case store::Errc::internal:
                break;
        }
    }
    obs::log_error("unexpected_error", {{"category", ec.category().name()}, {"reason", ec.message()}});
    return ApiError{ErrorCode::internal};
}

ApiError caller_error(error_code const& ec) {
    return ec == store::Errc::not_found ? ApiError{ErrorCode::token_revoked} : to_api_error(ec);
}

http::Response fail(ApiError const& e, http::Request const& req, http::RequestContext const& ctx) {
    return http::error_response(e, ctx.request_id, req.version(), req.keep_alive());
}

}  // namespace wx::api
