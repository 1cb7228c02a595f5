#pragma once

#include "api/user_directory.hpp"
#include "core/clock.hpp"
#include "http/pipeline.hpp"
#include "store/database.hpp"

namespace wx::api {

// The caller's own account: GET and PATCH /api/v1/users/me (and, later, binding and phone).
// Every handler runs behind RequireAuth.
// Thread safety: handlers may run concurrently.
class UsersApi {
public:
    UsersApi(UserDirectory& users, store::Database& db, Clock const& clock) : users_(users), db_(db), clock_(clock) {}
    Task<http::Response> me(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> update_me(http::Request& req, http::RequestContext& ctx);

private:
    UserDirectory& users_;
    store::Database& db_;
    Clock const& clock_;
};

}  // namespace wx::api
