#include "api/users_api.hpp"

#include "api/error_mapping.hpp"
#include "http/response.hpp"
#include "store/errors.hpp"

namespace wx::api {

Task<http::Response> UsersApi::me(http::Request& req, http::RequestContext& ctx) {
    // RequireAuth ran first and looked the user up; this is a memory hit.
    auto user = co_await users_.get(ctx.principal->user_id);
    if (!user) {
        http::ApiError e = user.error() == store::Errc::not_found ? http::ApiError{http::ErrorCode::token_revoked}
                                                                  : to_api_error(user.error());
        co_return http::error_response(e, ctx.request_id, req.version(), req.keep_alive());
    }
    co_return http::text_response(http::status::ok, (*user)->json, "application/json", req);
}

}  // namespace wx::api
