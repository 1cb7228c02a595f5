#include "api/auth_api.hpp"

#include <limits>

#include "api/error_mapping.hpp"
#include "api/wechat_apps.hpp"
#include "auth/refresh_token.hpp"
#include "http/json_body.hpp"
#include "http/response.hpp"

namespace wx::api {

Task<http::Response> AuthApi::wechat_login(http::Request& req, http::RequestContext& ctx) {
    // Counted before anything else, so that even junk costs the sender its allowance.
    if (auto wait = co_await d_.login_limit.admit(ctx.client_address)) co_return fail(rate_limited(*wait), req, ctx);
    auto exchanged = co_await exchange_code(req, d_.wechat, d_.apps);
    if (!exchanged) co_return fail(exchanged.error(), req, ctx);
    auto const* app = exchanged->app;
    auto const& session = exchanged->session;

    SessionGrant grant = d_.issuer.new_session(session_origin(req, ctx, "wechat"));
    store::WeChatLogin login;
    login.identity = store::WeChatIdentity{app->app_id, session.openid, session.unionid};
    login.session_key_sealed = d_.cipher.seal(session.session_key);
    login.session = grant.row;
    login.now = d_.clock.now();
    auto outcome = co_await d_.identities.login(std::move(login));
    if (!outcome) co_return fail(to_api_error(outcome.error()), req, ctx);
    std::int64_t const user_id = outcome->user.id;
    if (outcome->disabled) {
        d_.audit.record(
            {.event = AuditEvent::login_failed, .target = user_id, .method = "wechat", .reason = "account_disabled"},
            ctx);
        co_return fail(ApiError{ErrorCode::account_disabled}, req, ctx);
    }

    co_await d_.users.put(outcome->user);
    d_.audit.record({.event = AuditEvent::login_succeeded,
                     .actor = user_id,
                     .target = user_id,
                     .session = grant.row.id,
                     .method = "wechat",
                     .reason = outcome->created ? std::string_view{"created"} : std::string_view{}},
                    ctx);
    auto pair = d_.issuer.token_pair(outcome->user, grant.row.id, grant.refresh_token, grant.row.expires_at,
                                     grant.row.access_expires_at, outcome->created);
    co_return http::json_response(http::status::ok, pair, req);
}

Task<http::Response> AuthApi::refresh(http::Request& req, http::RequestContext& ctx) {
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    // No length bound here: a string of any length that is not one of our tokens is a malformed
    // refresh token (401), as API.md files it, not an invalid field (400).
    auto presented =
        fields.required_string("refresh_token", {.min = 1, .max = std::numeric_limits<std::size_t>::max()});
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);
    // Anything that is not one of our tokens is answered without touching the database.
    if (!auth::looks_like_refresh_token(*presented))
        co_return fail(ApiError{ErrorCode::refresh_token_invalid}, req, ctx);

    RotationGrant grant = d_.issuer.rotation(*presented);
    std::int64_t access_expires_at = grant.rotation.access_expires_at;
    auto outcome = co_await d_.sessions.refresh(std::move(grant.rotation));
    if (!outcome) co_return fail(to_api_error(outcome.error()), req, ctx);
    switch (outcome->verdict) {
        case store::RefreshVerdict::unknown:
            co_return fail(ApiError{ErrorCode::refresh_token_invalid}, req, ctx);
        case store::RefreshVerdict::expired:
            co_return fail(ApiError{ErrorCode::refresh_token_expired}, req, ctx);
        case store::RefreshVerdict::reused: {
            // Refused here before the answer leaves, and on the other instances soon after.
            std::vector<store::RevokedSession> family{{outcome->session_id, outcome->access_expires_at}};
            co_await d_.revocations.announce(std::move(family));
            d_.refresh_reuse.add();
            d_.audit.record({.event = AuditEvent::refresh_reuse_detected, .session = outcome->session_id}, ctx);
            co_return fail(ApiError{ErrorCode::refresh_token_reused}, req, ctx);
        }
        case store::RefreshVerdict::rotated:
            break;
    }
    co_await d_.users.put(outcome->user);
    auto pair = d_.issuer.token_pair(outcome->user, outcome->session_id, grant.refresh_token, outcome->expires_at,
                                     access_expires_at, false);
    co_return http::json_response(http::status::ok, pair, req);
}

Task<http::Response> AuthApi::logout(http::Request& req, http::RequestContext& ctx) {
    auto const& caller = *ctx.principal;
    auto revoked = co_await d_.sessions.revoke(caller.user_id, caller.session_id, d_.clock.now());
    if (!revoked) co_return fail(to_api_error(revoked.error()), req, ctx);
    // The caller's own token is covered even if the row was already revoked by a racing request.
    revoked->push_back(store::RevokedSession{caller.session_id, caller.expires_at});
    co_await d_.revocations.announce(std::move(*revoked));
    d_.audit.record(
        {.event = AuditEvent::logout, .actor = caller.user_id, .target = caller.user_id, .session = caller.session_id},
        ctx);
    co_return http::empty_response(http::status::no_content, req);
}

Task<http::Response> AuthApi::logout_all(http::Request& req, http::RequestContext& ctx) {
    auto const& caller = *ctx.principal;
    auto revoked = co_await d_.sessions.revoke_all(caller.user_id, d_.clock.now());
    if (!revoked) co_return fail(to_api_error(revoked.error()), req, ctx);
    revoked->push_back(store::RevokedSession{caller.session_id, caller.expires_at});
    co_await d_.revocations.announce(std::move(*revoked));
    d_.audit.record({.event = AuditEvent::logout_all,
                     .actor = caller.user_id,
                     .target = caller.user_id,
                     .session = caller.session_id},
                    ctx);
    co_return http::empty_response(http::status::no_content, req);
}

}  // namespace wx::api
