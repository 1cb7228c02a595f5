#pragma once

#include <string>

#include "http/pipeline.hpp"
#include "sim/simulator.hpp"

namespace wx::sim {

// The WeChat simulator's HTTP face: WeChat's own endpoints (text/plain JSON, like WeChat) and a
// JSON control API for tests and local development, all under one path prefix.
//
// WeChat endpoints:   GET {p}/sns/jscode2session   GET {p}/cgi-bin/token
//                     POST {p}/cgi-bin/stable_token   POST {p}/wxa/business/getuserphonenumber
// Control endpoints:  POST {p}/control/login-code {"app_id"?, "openid"?, "unionid"?, "code"?}
//                       -> {"code", "openid", "session_key", "app_id", "unionid"?}
//                     POST {p}/control/phone-code {"app_id"?, "phone", "country_code"?} -> {"code"}
//                     POST {p}/control/fail {"api", "errcode"?, "http_status"?, "body"?, "delay_ms"?,
//                       "times"?} -> {"pending_faults"}
//                     POST {p}/control/expire-access-token {"app_id"?} -> {"expired"}    (then 42001)
//                     POST {p}/control/revoke-access-token {"app_id"?} -> {"revoked"}    (then 40001)
//                     POST {p}/control/encrypted-phone {"app_id"?, "openid", "phone", "country_code"?,
//                       "watermark_app_id"?} -> {"encrypted_data", "iv"}
//                     GET  {p}/control/stats -> {"calls": {api: n}, "pending_faults", "default_app_id"}
//                     POST {p}/control/reset -> 204
// The routes are in the one route table, app/routes.cpp (add_wechat_sim_routes): under "" for
// `wxlogin wechat-sim`, under "/wechat-sim" for `serve --dev`.
// Thread safety: handlers may run concurrently (the Simulator locks).
class WeChatSimApi {
public:
    explicit WeChatSimApi(Simulator& simulator) : sim_(simulator) {}

    Task<http::Response> jscode2session(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> token(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> stable_token(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> phone_number(http::Request& req, http::RequestContext& ctx);

    Task<http::Response> control_login_code(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> control_phone_code(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> control_fail(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> control_expire_access_token(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> control_revoke_access_token(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> control_encrypted_phone(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> control_stats(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> control_reset(http::Request& req, http::RequestContext& ctx);

private:
    using EndTokens = result<std::size_t, SimulatorError> (Simulator::*)(std::string);
    // The body of expire-/revoke-access-token: {"app_id"?} in, {"<count_name>": n} out.
    Task<http::Response> end_access_tokens(http::Request& req,
                                           http::RequestContext& ctx,
                                           EndTokens end,
                                           std::string_view count_name);
    // Waits out the reply's delay on the coroutine's own executor, then answers like WeChat.
    static Task<http::Response> answer(Simulator::Reply reply, http::Request const& req);

    Simulator& sim_;
};

}  // namespace wx::sim
