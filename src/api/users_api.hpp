#pragma once

#include "core/clock.hpp"
#include "http/pipeline.hpp"
#include "store/user_cache.hpp"
#include "store/user_store.hpp"

namespace wx::api {

// The caller's own account: GET and PATCH /api/v1/users/me (and, later, binding and phone).
// Every handler runs behind RequireAuth.
// Thread safety: handlers may run concurrently.
class UsersApi {
public:
    UsersApi(store::UserCache& users, store::UserStore& accounts, Clock const& clock)
        : users_(users), accounts_(accounts), clock_(clock) {}
    Task<http::Response> me(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> update_me(http::Request& req, http::RequestContext& ctx);

private:
    store::UserCache& users_;
    store::UserStore& accounts_;
    Clock const& clock_;
};

}  // namespace wx::api
