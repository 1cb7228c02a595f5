#include "api/auth_api.hpp"

#include "api/error_mapping.hpp"
#include "http/json_body.hpp"
#include "http/response.hpp"

namespace wx::api {
namespace {

using http::ApiError;

http::Response fail(ApiError const& e, http::Request const& req, http::RequestContext const& ctx) {
    return http::error_response(e, ctx.request_id, req.version(), req.keep_alive());
}

bool printable_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x21 || c > 0x7E) return false;
    return true;
}

}  // namespace

wechat::AppCredentials const* AuthApi::find_app(std::optional<std::string> const& app_id) const {
    if (!app_id) return &d_.apps.front();
    for (auto const& a : d_.apps)
        if (a.app_id == *app_id) return &a;
    return nullptr;
}

Task<http::Response> AuthApi::wechat_login(http::Request& req, http::RequestContext& ctx) {
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto code = fields.string("code", true, 1, 128);
    auto app_id = fields.string("app_id", false, 1, 64);
    if (code && !printable_ascii(*code)) fields.fail("code", "invalid_characters");
    auto const* app = find_app(app_id);
    if (!app) fields.fail("app_id", "unknown_app");
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);

    // Input is valid: only now is WeChat called (the code is single-use, so never twice).
    auto session = co_await d_.wechat.code_to_session(*app, std::move(*code));
    if (!session) co_return fail(to_api_error(session.error()), req, ctx);

    SessionGrant grant = d_.issuer.new_session();
    store::WeChatLogin login;
    login.identity = store::WeChatIdentity{app->app_id, session->openid, session->unionid};
    login.session_key_sealed = d_.cipher.seal(session->session_key);
    login.session = grant.row;
    login.now = d_.clock.now();
    auto outcome = co_await d_.db.wechat_login(std::move(login));
    if (!outcome) co_return fail(to_api_error(outcome.error()), req, ctx);

    d_.users.put(outcome->user);
    auto pair =
        d_.issuer.token_pair(outcome->user, grant.row.id, grant.refresh_token, grant.row.expires_at, outcome->created);
    co_return http::json_response(http::status::ok, pair, req);
}

}  // namespace wx::api
