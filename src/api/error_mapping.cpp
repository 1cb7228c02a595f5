#include "api/error_mapping.hpp"

#include "auth/jwt.hpp"
#include "auth/password_hasher.hpp"
#include "store/errors.hpp"
#include "wechat/circuit_breaker.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {
namespace {

// What the operator reads in the access log: "store: database busy", "wechat: WeChat errcode 40013".
std::string reason_of(error_code const& ec) { return std::string{ec.category().name()} + ": " + ec.message(); }

ErrorCode from_wechat_errcode(int errcode) {
    switch (errcode) {
        case wechat::errcode::invalid_code:
            return ErrorCode::wechat_code_invalid;
        case wechat::errcode::code_used:
            return ErrorCode::wechat_code_used;
        case wechat::errcode::high_risk_user:
            return ErrorCode::wechat_user_blocked;
        case wechat::errcode::rate_limited:
            return ErrorCode::wechat_rate_limited;
        case wechat::errcode::invalid_appid:
        case wechat::errcode::invalid_appsecret:
        case wechat::errcode::missing_appid:
        case wechat::errcode::missing_secret:
            return ErrorCode::wechat_misconfigured;
        default:
            return ErrorCode::wechat_unavailable;
    }
}

ApiError mapped(error_code const& ec) {
    if (ec.category() == wechat::errcode_category()) {
        ApiError e{from_wechat_errcode(ec.value())};
        e.wechat_errcode = ec.value();
        if (e.code == ErrorCode::wechat_rate_limited) e.retry_after_seconds = 60;  // WeChat's quota is per minute
        return e;
    }
    if (ec.category() == wechat::transport_category()) return ApiError{ErrorCode::wechat_unavailable};
    if (ec.category() == wechat::circuit_category()) {
        // The breaker is open: no call was made. Retry-After says when one may be again.
        ApiError e{ErrorCode::wechat_unavailable};
        e.retry_after_seconds = ec.value();
        return e;
    }
    if (ec.category() == auth::jwt_category())
        return ApiError{ec == auth::JwtErrc::expired ? ErrorCode::token_expired : ErrorCode::token_invalid};
    if (ec == auth::PasswordErrc::overloaded) {
        ApiError e{ErrorCode::overloaded};
        e.retry_after_seconds = 1;
        return e;
    }
    if (ec.category() == store::category()) {
        switch (static_cast<store::Errc>(ec.value())) {
            case store::Errc::overloaded: {
                ApiError e{ErrorCode::overloaded};
                e.retry_after_seconds = 1;
                return e;
            }
            // A conflict here outlasted the store's reruns: contention, not a bug, so it is
            // answered like a busy database (never a 500).
            case store::Errc::conflict:
            case store::Errc::busy:
            case store::Errc::unavailable: {
                ApiError e{ErrorCode::unavailable};
                e.retry_after_seconds = 1;
                return e;
            }
            case store::Errc::not_found:
            case store::Errc::internal:
                break;
        }
    }
    return ApiError{ErrorCode::internal};
}

}  // namespace

ApiError to_api_error(error_code const& ec) {
    ApiError e = mapped(ec);
    e.reason = reason_of(ec);
    return e;
}

ApiError rate_limited(std::chrono::seconds retry_after) {
    ApiError e{ErrorCode::rate_limited};
    e.retry_after_seconds = static_cast<int>(retry_after.count());
    return e;
}

ApiError caller_error(error_code const& ec) {
    if (ec != store::Errc::not_found) return to_api_error(ec);
    ApiError e{ErrorCode::token_revoked};
    e.reason = "the caller's user no longer exists";
    return e;
}

http::Response fail(ApiError const& e, http::Request const& req, http::RequestContext& ctx) {
    return http::answer_error(e.envelope(), req, ctx);
}

http::Response fail(http::ErrorEnvelope const& e, http::Request const& req, http::RequestContext& ctx) {
    return http::answer_error(e, req, ctx);
}

}  // namespace wx::api
