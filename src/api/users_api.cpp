#include "api/users_api.hpp"

#include <boost/url/parse.hpp>

#include "api/error_mapping.hpp"
#include "http/json_body.hpp"
#include "http/response.hpp"
#include "store/errors.hpp"

namespace wx::api {
namespace {

// C0 and C1 controls, DEL, and the bidirectional embedding, override and isolate controls
// (U+202A-U+202E, U+2066-U+2069), which let one user's name display as another's. `s` is valid
// UTF-8 (the JSON parser checked), so the code points are matched by their encodings.
bool has_control_characters(std::string_view s) {
    auto byte = [&](std::size_t i) { return i < s.size() ? static_cast<unsigned char>(s[i]) : 0u; };
    for (std::size_t i = 0; i < s.size(); ++i) {
        unsigned const c = byte(i);
        if (c < 0x20 || c == 0x7F) return true;
        if (c == 0xC2 && byte(i + 1) >= 0x80 && byte(i + 1) <= 0x9F) return true;  // U+0080-U+009F
        if (c == 0xE2 && byte(i + 1) == 0x80 && byte(i + 2) >= 0xAA && byte(i + 2) <= 0xAE) return true;
        if (c == 0xE2 && byte(i + 1) == 0x81 && byte(i + 2) >= 0xA6 && byte(i + 2) <= 0xA9) return true;
    }
    return false;
}

// An absolute https URL with a host and no user-info (`https://evil@host` misleads readers).
bool is_https_url(std::string_view s) {
    auto url = boost::urls::parse_absolute_uri(s);
    if (!url) return false;
    return url->scheme_id() == boost::urls::scheme::https && !url->encoded_host().empty() && !url->has_userinfo();
}

}  // namespace

Task<http::Response> UsersApi::me(http::Request& req, http::RequestContext& ctx) {
    // RequireAuth ran first and looked the user up; this is a memory hit.
    auto user = co_await users_.get(ctx.principal->user_id);
    if (!user) co_return fail(caller_error(user.error()), req, ctx);
    co_return http::text_response(http::status::ok, (*user)->json, "application/json", req);
}

Task<http::Response> UsersApi::update_me(http::Request& req, http::RequestContext& ctx) {
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    store::ProfileChange change;
    // An empty string clears a field; an absent or null one is left as it is.
    change.nickname = fields.optional_string("nickname", {.max = 64});
    change.avatar_url = fields.optional_string("avatar_url", {.max = 1024});
    if (change.nickname && has_control_characters(*change.nickname)) fields.fail("nickname", "invalid_characters");
    if (change.avatar_url && !change.avatar_url->empty() && !is_https_url(*change.avatar_url))
        fields.fail("avatar_url", "not_https_url");
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);
    if (!change.nickname && !change.avatar_url) co_return co_await me(req, ctx);

    change.now = clock_.now();
    auto updated = co_await accounts_.update_profile(ctx.principal->user_id, std::move(change));
    if (!updated) co_return fail(caller_error(updated.error()), req, ctx);
    auto entry = co_await users_.put(std::move(*updated));
    co_return http::text_response(http::status::ok, entry->json, "application/json", req);
}

}  // namespace wx::api
