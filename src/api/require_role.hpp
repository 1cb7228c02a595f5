#pragma once

#include <string>

#include "http/pipeline.hpp"

namespace wx::api {

// Behind RequireAuth: lets only callers whose *live* account has `role` through (the principal's
// role is read from the user cache, not from the token's claim, so a demotion holds at once);
// others get 403 forbidden.
// Thread safety: handle() may run concurrently.
class RequireRole final : public http::Middleware {
public:
    explicit RequireRole(std::string role) : role_(std::move(role)) {}
    Task<http::Response> handle(http::Request& req, http::RequestContext& ctx, http::Next next) const override;

private:
    std::string role_;
};

}  // namespace wx::api
