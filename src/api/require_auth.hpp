#pragma once

#include "api/user_directory.hpp"
#include "auth/jwt.hpp"
#include "auth/revoked_sessions.hpp"
#include "http/pipeline.hpp"

namespace wx::api {

// Bearer authentication for protected routes: verifies the access token (algorithm, signature,
// exp, iat/nbf, iss/aud), then that its session is not revoked and its user still exists and is
// enabled, all from memory. Fills ctx.principal or answers 401 with the API.md code.
// Thread safety: handle() may run concurrently.
class RequireAuth final : public http::Middleware {
public:
    RequireAuth(auth::JwtCodec const& jwt, auth::RevokedSessions const& revoked, UserDirectory& users)
        : jwt_(jwt), revoked_(revoked), users_(users) {}
    Task<http::Response> handle(http::Request& req, http::RequestContext& ctx, http::Next next) const override;

private:
    auth::JwtCodec const& jwt_;
    auth::RevokedSessions const& revoked_;
    UserDirectory& users_;
};

}  // namespace wx::api
