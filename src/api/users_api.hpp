#pragma once

#include "api/user_directory.hpp"
#include "http/pipeline.hpp"

namespace wx::api {

// The caller's own account: GET /api/v1/users/me (and, later, profile, binding and phone).
// Thread safety: handlers may run concurrently.
class UsersApi {
public:
    explicit UsersApi(UserDirectory& users) : users_(users) {}
    Task<http::Response> me(http::Request& req, http::RequestContext& ctx);

private:
    UserDirectory& users_;
};

}  // namespace wx::api
