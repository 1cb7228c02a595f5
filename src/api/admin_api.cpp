#include "api/admin_api.hpp"

#include <array>
#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/account_api.hpp"
#include "api/error_mapping.hpp"
#include "api/user_json.hpp"
#include "auth/credential_rules.hpp"
#include "http/json_body.hpp"
#include "http/response.hpp"
#include "store/errors.hpp"

namespace wx::api {
namespace {

// A store error about the account named in the path: gone is 404, like an id never used.
ApiError target_error(error_code const& ec) {
    if (ec == store::Errc::not_found) return ApiError{ErrorCode::not_found};
    return to_api_error(ec);
}

ApiError self_conflict(std::string_view what) {
    ApiError e{ErrorCode::conflict};
    e.message = "an administrator cannot " + std::string{what} + " themself";
    return e;
}

struct Lookup {
    std::string_view param;
    store::LookupKey key;
};
constexpr std::array<Lookup, 4> kLookups{{{"username", store::LookupKey::username_key},
                                          {"email", store::LookupKey::email_key},
                                          {"phone", store::LookupKey::phone},
                                          {"openid", store::LookupKey::openid}}};

ApiError bad_query(std::string field, std::string reason) {
    ApiError e{ErrorCode::invalid_request};
    e.message = "look up by exactly one of username, email, phone, openid";
    e.details.push_back({std::move(field), std::move(reason)});
    return e;
}

}  // namespace

void AdminApi::audit(AuditEvent event, std::int64_t target, http::RequestContext const& ctx, std::string_view detail) {
    d_.audit.record({.event = event, .actor = ctx.principal->user_id, .target = target, .reason = detail}, ctx);
}

Task<http::Response> AdminApi::answer_view(std::int64_t user_id, http::Request& req, http::RequestContext& ctx) {
    auto view = co_await d_.lifecycle.view(user_id, d_.clock.now());
    if (!view) co_return fail(target_error(view.error()), req, ctx);
    co_return http::json_response(http::status::ok, admin_user_json(view->user, view->live_sessions), req);
}

Task<http::Response> AdminApi::get_user(http::Request& req, http::RequestContext& ctx) {
    co_return co_await answer_view(ctx.path_int("id"), req, ctx);
}

Task<http::Response> AdminApi::find_users(http::Request& req, http::RequestContext& ctx) {
    auto const& query = ctx.query();
    Lookup const* chosen = nullptr;
    std::string value;
    for (auto const& item : query.items()) {
        auto const* known =
            std::find_if(kLookups.begin(), kLookups.end(), [&](auto& l) { return l.param == item.key; });
        if (known == kLookups.end()) co_return fail(bad_query(item.key, "unknown_parameter"), req, ctx);
        if (chosen) co_return fail(bad_query(item.key, "one_key_only"), req, ctx);
        if (item.value.empty()) co_return fail(bad_query(item.key, "empty"), req, ctx);
        chosen = known;
        value = item.value;
    }
    if (!chosen) co_return fail(bad_query("username", "missing"), req, ctx);
    if (chosen->key == store::LookupKey::username_key) value = auth::username_key(value);
    if (chosen->key == store::LookupKey::email_key) value = auth::email_key(value);

    auto found = co_await d_.lifecycle.find(chosen->key, std::move(value), d_.clock.now());
    if (!found) co_return fail(to_api_error(found.error()), req, ctx);
    boost::json::array users;
    users.reserve(found->size());
    for (auto const& v : *found) users.push_back(admin_user_json(v.user, v.live_sessions));
    co_return http::json_response(http::status::ok, boost::json::object{{"users", std::move(users)}}, req);
}

Task<http::Response> AdminApi::list_sessions(http::Request& req, http::RequestContext& ctx) {
    std::int64_t const id = ctx.path_int("id");
    std::int64_t const now = d_.clock.now();
    auto view = co_await d_.lifecycle.view(id, now);  // an unknown user is 404, not an empty list
    if (!view) co_return fail(target_error(view.error()), req, ctx);
    auto live = co_await d_.sessions.live(id, now);
    if (!live) co_return fail(to_api_error(live.error()), req, ctx);
    boost::json::array out;
    out.reserve(live->size());
    for (auto const& s : *live) out.push_back(session_json(s));
    co_return http::json_response(http::status::ok, boost::json::object{{"sessions", std::move(out)}}, req);
}

Task<http::Response> AdminApi::revoke_session(http::Request& req, http::RequestContext& ctx) {
    std::int64_t const id = ctx.path_int("id");
    std::string sid{ctx.path("sid")};
    auto revoked = co_await d_.sessions.revoke(id, sid, d_.clock.now());
    if (!revoked) co_return fail(to_api_error(revoked.error()), req, ctx);
    if (revoked->empty()) co_return fail(ApiError{ErrorCode::not_found}, req, ctx);
    co_await d_.revocations.announce(std::move(*revoked));
    d_.audit.record(
        {.event = AuditEvent::admin_revoke_session, .actor = ctx.principal->user_id, .target = id, .session = sid},
        ctx);
    co_return http::empty_response(http::status::no_content, req);
}

Task<http::Response> AdminApi::logout_all(http::Request& req, http::RequestContext& ctx) {
    std::int64_t const id = ctx.path_int("id");
    std::int64_t const now = d_.clock.now();
    auto view = co_await d_.lifecycle.view(id, now);
    if (!view) co_return fail(target_error(view.error()), req, ctx);
    auto revoked = co_await d_.sessions.revoke_all(id, now);
    if (!revoked) co_return fail(to_api_error(revoked.error()), req, ctx);
    co_await d_.revocations.announce(std::move(*revoked));
    audit(AuditEvent::admin_logout_all, id, ctx);
    co_return http::empty_response(http::status::no_content, req);
}

Task<http::Response> AdminApi::unlock(http::Request& req, http::RequestContext& ctx) {
    std::int64_t const id = ctx.path_int("id");
    auto view = co_await d_.lifecycle.view(id, d_.clock.now());
    if (!view) co_return fail(target_error(view.error()), req, ctx);
    std::string const key = auth::account_key(id);  // the key password login charges
    co_await d_.throttle.unlock(key);
    audit(AuditEvent::admin_unlock, id, ctx);
    co_return http::empty_response(http::status::no_content, req);
}

Task<http::Response> AdminApi::delete_user(http::Request& req, http::RequestContext& ctx) {
    std::int64_t const id = ctx.path_int("id");
    if (id == ctx.principal->user_id) co_return fail(self_conflict("delete"), req, ctx);
    auto deleted = co_await delete_account(d_.lifecycle, d_.revocations, d_.users, id, d_.clock.now());
    if (!deleted) co_return fail(target_error(deleted.error()), req, ctx);
    audit(AuditEvent::admin_delete, id, ctx);
    co_return http::empty_response(http::status::no_content, req);
}

Task<http::Response> AdminApi::disable(http::Request& req, http::RequestContext& ctx) {
    co_return co_await set_disabled(true, req, ctx);
}

Task<http::Response> AdminApi::enable(http::Request& req, http::RequestContext& ctx) {
    co_return co_await set_disabled(false, req, ctx);
}

Task<http::Response> AdminApi::set_disabled(bool disabled, http::Request& req, http::RequestContext& ctx) {
    std::int64_t const id = ctx.path_int("id");
    if (disabled && id == ctx.principal->user_id) co_return fail(self_conflict("disable"), req, ctx);
    auto changed = co_await d_.lifecycle.set_disabled(id, disabled, d_.clock.now());
    if (!changed) co_return fail(target_error(changed.error()), req, ctx);
    // The cache first: from here on this instance refuses every token of the user by its record,
    // and the revocations cover the sessions wherever the record is stale.
    co_await d_.users.put(changed->user);
    co_await d_.revocations.announce(std::move(changed->revoked));
    audit(disabled ? AuditEvent::admin_disable : AuditEvent::admin_enable, id, ctx);
    co_return co_await answer_view(id, req, ctx);
}

Task<http::Response> AdminApi::update_user(http::Request& req, http::RequestContext& ctx) {
    std::int64_t const id = ctx.path_int("id");
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto role = fields.required_string("role", {.min = 1, .max = 32});
    if (role && *role != "user" && *role != "admin") fields.fail("role", "invalid_value");
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);
    if (id == ctx.principal->user_id && *role != "admin") co_return fail(self_conflict("demote"), req, ctx);

    std::string const new_role = *role;
    auto updated = co_await d_.lifecycle.set_role(id, std::move(*role), d_.clock.now());
    if (!updated) co_return fail(target_error(updated.error()), req, ctx);
    co_await d_.users.put(std::move(*updated));
    audit(AuditEvent::admin_set_role, id, ctx, new_role);
    co_return co_await answer_view(id, req, ctx);
}

}  // namespace wx::api
