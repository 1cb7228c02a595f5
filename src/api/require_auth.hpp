#pragma once

#include "api/user_directory.hpp"
#include "auth/jwt.hpp"
#include "http/pipeline.hpp"

namespace wx::api {

// Bearer authentication for protected routes: verifies the access token (algorithm, signature,
// exp, iat/nbf, iss/aud), then that its user still exists, is enabled and has not revoked the
// token, all from memory. Fills ctx.principal or answers 401 with the API.md code.
// Thread safety: handle() may run concurrently.
class RequireAuth final : public http::Middleware {
public:
    RequireAuth(auth::JwtCodec const& jwt, UserDirectory& users) : jwt_(jwt), users_(users) {}
    Task<http::Response> handle(http::Request& req, http::RequestContext& ctx, http::Next next) const override;

private:
    auth::JwtCodec const& jwt_;
    UserDirectory& users_;
};

}  // namespace wx::api
