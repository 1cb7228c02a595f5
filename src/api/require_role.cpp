#include "api/require_role.hpp"

#include "api/error_mapping.hpp"

namespace wx::api {

Task<http::Response> RequireRole::handle(http::Request& req, http::RequestContext& ctx, http::Next next) const {
    if (!ctx.principal || ctx.principal->role != role_) {
        ApiError e{ErrorCode::forbidden};
        e.message = "this needs the " + role_ + " role";
        co_return fail(e, req, ctx);
    }
    co_return co_await next(req, ctx);
}

}  // namespace wx::api
