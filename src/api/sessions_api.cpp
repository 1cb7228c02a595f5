#include "api/sessions_api.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>

#include "api/error_mapping.hpp"
#include "api/user_json.hpp"
#include "http/response.hpp"

namespace wx::api {

Task<http::Response> SessionsApi::list(http::Request& req, http::RequestContext& ctx) {
    auto const& caller = *ctx.principal;
    auto live = co_await sessions_.live(caller.user_id, clock_.now());
    if (!live) co_return fail(to_api_error(live.error()), req, ctx);
    boost::json::array out;
    out.reserve(live->size());
    for (auto const& s : *live) {
        boost::json::object o = session_json(s);
        o["current"] = s.id == caller.session_id;
        out.push_back(std::move(o));
    }
    co_return http::json_response(http::status::ok, boost::json::object{{"sessions", std::move(out)}}, req);
}

Task<http::Response> SessionsApi::revoke(http::Request& req, http::RequestContext& ctx) {
    auto const& caller = *ctx.principal;
    std::string id{ctx.path("id")};
    auto revoked = co_await sessions_.revoke(caller.user_id, id, clock_.now());
    if (!revoked) co_return fail(to_api_error(revoked.error()), req, ctx);
    // Nothing revoked: not the caller's, unknown, or revoked already — one answer for all three.
    if (revoked->empty()) co_return fail(ApiError{ErrorCode::not_found}, req, ctx);
    co_await revocations_.announce(std::move(*revoked));
    audit_.record(
        {.event = AuditEvent::session_revoked, .actor = caller.user_id, .target = caller.user_id, .session = id}, ctx);
    co_return http::empty_response(http::status::no_content, req);
}

}  // namespace wx::api
