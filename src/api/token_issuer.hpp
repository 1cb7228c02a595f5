#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "store/model.hpp"

namespace wx::api {

// A new login session: its database row and the refresh token the client gets once.
struct SessionGrant {
    store::NewSession row;
    std::string refresh_token;
};

// Mints sessions, access tokens and the TokenPair response body.
// Thread safety: const member functions may be called concurrently.
class TokenIssuer {
public:
    TokenIssuer(auth::JwtCodec const& jwt, Clock const& clock, std::int64_t access_ttl, std::int64_t refresh_ttl)
        : jwt_(jwt), clock_(clock), access_ttl_(access_ttl), refresh_ttl_(refresh_ttl) {}

    [[nodiscard]] SessionGrant new_session() const;
    // The TokenPair object of API.md for this user and session.
    [[nodiscard]] boost::json::object token_pair(store::User const& user,
                                                 std::string const& session_id,
                                                 std::string const& refresh_token,
                                                 std::int64_t refresh_expires_at,
                                                 bool new_user) const;

private:
    auth::JwtCodec const& jwt_;
    Clock const& clock_;
    std::int64_t access_ttl_;
    std::int64_t refresh_ttl_;
};

}  // namespace wx::api
