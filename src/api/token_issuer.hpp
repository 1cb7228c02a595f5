#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/session_origin.hpp"
#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "store/model.hpp"

namespace wx::api {

// A new login session: its database row and the refresh token the client gets once.
struct SessionGrant {
    store::NewSession row;
    std::string refresh_token;
};

// A refresh: the rotation the store applies and the successor token the client gets once.
struct RotationGrant {
    store::Rotation rotation;
    std::string refresh_token;
};

// Mints sessions, access tokens and the TokenPair response body.
// Thread safety: const member functions may be called concurrently.
class TokenIssuer {
public:
    TokenIssuer(auth::JwtCodec const& jwt, Clock const& clock, std::int64_t access_ttl, std::int64_t refresh_ttl)
        : jwt_(jwt), clock_(clock), access_ttl_(access_ttl), refresh_ttl_(refresh_ttl) {}

    [[nodiscard]] SessionGrant new_session(SessionOrigin origin) const;
    [[nodiscard]] RotationGrant rotation(std::string_view presented_refresh_token) const;
    // The TokenPair object of API.md for this user and session. The access token expires at
    // `access_expires_at`, the instant recorded with the session, so that revocation covers it exactly.
    [[nodiscard]] boost::json::object token_pair(store::User const& user,
                                                 std::string const& session_id,
                                                 std::string const& refresh_token,
                                                 std::int64_t refresh_expires_at,
                                                 std::int64_t access_expires_at,
                                                 bool new_user) const;

private:
    auth::JwtCodec const& jwt_;
    Clock const& clock_;
    std::int64_t access_ttl_;
    std::int64_t refresh_ttl_;
};

}  // namespace wx::api
