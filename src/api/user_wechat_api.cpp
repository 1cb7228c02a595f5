#include "api/user_wechat_api.hpp"

#include "api/error_mapping.hpp"
#include "api/wechat_apps.hpp"
#include "http/json_body.hpp"
#include "http/response.hpp"
#include "store/errors.hpp"

namespace wx::api {
namespace {

using http::ApiError;
using http::ErrorCode;

http::Response fail(ApiError const& e, http::Request const& req, http::RequestContext const& ctx) {
    return http::error_response(e, ctx.request_id, req.version(), req.keep_alive());
}

// A caller that vanished between authentication and the write was deleted: its token is dead.
ApiError user_error(error_code ec) {
    return ec == store::Errc::not_found ? ApiError{ErrorCode::token_revoked} : to_api_error(ec);
}

}  // namespace

Task<http::Response> UserWeChatApi::bind(http::Request& req, http::RequestContext& ctx) {
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto code = fields.string("code", true, 1, 128);
    auto app_id = fields.string("app_id", false, 1, 64);
    if (code && !printable_ascii(*code)) fields.fail("code", "invalid_characters");
    auto const* app = find_app(d_.apps, app_id);
    if (!app) fields.fail("app_id", "unknown_app");
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);

    auto session = co_await d_.wechat.code_to_session(*app, std::move(*code));
    if (!session) co_return fail(to_api_error(session.error()), req, ctx);

    std::int64_t user_id = ctx.principal->user_id;
    store::WeChatIdentity identity{app->app_id, session->openid, session->unionid};
    auto sealed = d_.cipher.seal(session->session_key);
    auto outcome = co_await d_.db.bind_wechat(user_id, std::move(identity), std::move(sealed), d_.clock.now());
    if (!outcome) co_return fail(user_error(outcome.error()), req, ctx);
    if (outcome->verdict == store::BindVerdict::bound_to_another_user)
        co_return fail(ApiError{ErrorCode::wechat_already_bound}, req, ctx);
    auto entry = d_.users.put(std::move(outcome->user));
    co_return http::text_response(http::status::ok, entry->json, "application/json", req);
}

}  // namespace wx::api
