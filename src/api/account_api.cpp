#include "api/account_api.hpp"

#include <sodium.h>

#include <algorithm>

#include "api/error_mapping.hpp"
#include "api/wechat_apps.hpp"
#include "http/json_body.hpp"
#include "http/response.hpp"
#include "store/errors.hpp"

namespace wx::api {
namespace {

// The proof of presence in a deletion request: exactly one of the two kinds.
struct Proof {
    std::optional<std::string> password;
    std::optional<std::string> code;
    wechat::AppCredentials const* app = nullptr;

    ~Proof() {
        if (password) sodium_memzero(password->data(), password->size());
    }
};

}  // namespace

Task<result<void>> delete_account(store::AccountLifecycle& lifecycle,
                                  store::RevocationList& revocations,
                                  store::UserCache& users,
                                  std::int64_t user_id,
                                  std::int64_t now) {
    auto revoked = co_await lifecycle.delete_account(user_id, now);
    if (!revoked) co_return revoked.error();
    co_await revocations.announce(std::move(*revoked));
    co_await users.invalidate(user_id);
    co_return result<void>{};
}

Task<http::Response> AccountApi::delete_me(http::Request& req, http::RequestContext& ctx) {
    auto const& caller = *ctx.principal;
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    Proof proof;
    proof.password = fields.optional_string("password", {.min = 1, .max = 1024});
    proof.code = read_optional_code(fields);
    proof.app = read_app(fields, d_.apps);
    if (proof.password && proof.code) fields.fail("password", "conflicts_with_code");
    if (!proof.password && !proof.code && fields.ok()) fields.fail("password", "missing");
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);

    if (proof.password) {
        auto account = co_await d_.accounts.credentials_by_id(caller.user_id);
        if (!account) co_return fail(to_api_error(account.error()), req, ctx);
        if (!*account) co_return fail(ApiError{ErrorCode::token_revoked}, req, ctx);  // deleted meanwhile
        if (!(*account)->password_hash) {
            fields.fail("password", "no_password");  // a WeChat-only account proves itself with a code
            co_return fail(fields.error(), req, ctx);
        }
        std::string stored = *(*account)->password_hash;
        std::string attempt = std::move(*proof.password);
        if (auto refused =
                co_await d_.password_check.verify(caller.user_id, std::move(stored), std::move(attempt), ctx))
            co_return fail(*refused, req, ctx);
    } else {
        auto user = co_await d_.users.get(caller.user_id);
        if (!user) co_return fail(caller_error(user.error()), req, ctx);
        if (!(*user)->user.wechat) {
            fields.fail("code", "no_wechat_identity");  // a password account proves itself with the password
            co_return fail(fields.error(), req, ctx);
        }
        auto const* app = proof.app;
        auto session = co_await d_.wechat.code_to_session(*app, std::move(*proof.code));
        if (!session) co_return fail(to_api_error(session.error()), req, ctx);
        std::string app_id = app->app_id;
        std::string openid = session->openid;
        auto owners = co_await d_.lifecycle.identity_owners(std::move(app_id), std::move(openid));
        if (!owners) co_return fail(to_api_error(owners.error()), req, ctx);
        if (std::find(owners->begin(), owners->end(), caller.user_id) == owners->end()) {
            ApiError e{ErrorCode::forbidden};
            e.message = "the WeChat code belongs to another identity";
            co_return fail(e, req, ctx);
        }
    }

    std::int64_t const now = d_.clock.now();
    auto deleted = co_await delete_account(d_.lifecycle, d_.revocations, d_.users, caller.user_id, now);
    if (!deleted) co_return fail(caller_error(deleted.error()), req, ctx);
    d_.audit.record({.event = AuditEvent::account_deleted,
                     .actor = caller.user_id,
                     .target = caller.user_id,
                     .session = caller.session_id,
                     .method = proof.password ? std::string_view{"password"} : std::string_view{"wechat"}},
                    ctx);
    co_return http::empty_response(http::status::no_content, req);
}

}  // namespace wx::api
