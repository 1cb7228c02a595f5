#pragma once

#include "auth/jwt.hpp"
#include "http/pipeline.hpp"
#include "store/revocation_list.hpp"
#include "store/user_cache.hpp"

namespace wx::api {

// Bearer authentication for protected routes: verifies the access token (algorithm, signature,
// exp, iat/nbf, iss/aud), then that its session is not revoked and its user still exists and is
// enabled, all from memory. Fills ctx.principal or answers 401 with the API.md code; when the
// revocation list cannot vouch for a session it answers 503 (fail closed).
// Thread safety: handle() may run concurrently.
class RequireAuth final : public http::Middleware {
public:
    RequireAuth(auth::JwtCodec const& jwt, store::RevocationList const& revocations, store::UserCache& users)
        : jwt_(jwt), revocations_(revocations), users_(users) {}
    Task<http::Response> handle(http::Request& req, http::RequestContext& ctx, http::Next next) const override;

private:
    auth::JwtCodec const& jwt_;
    store::RevocationList const& revocations_;
    store::UserCache& users_;
};

}  // namespace wx::api
