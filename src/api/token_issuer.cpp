#include "api/token_issuer.hpp"

#include <chrono>

#include "api/user_json.hpp"
#include "auth/refresh_token.hpp"

namespace wx::api {
namespace {

// Wall-clock milliseconds for the time-ordered session and refresh-token ids, not clock_ (seconds,
// and a test's clock may stand still): the order only serves the database's indexes.
std::int64_t wall_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace

SessionGrant TokenIssuer::new_session(SessionOrigin origin) const {
    auto const ms = wall_ms();
    auto refresh = auth::new_refresh_token(ms);
    std::int64_t now = clock_.now();
    SessionGrant g;
    g.row.id = auth::new_session_id(ms);
    g.row.refresh_hash = std::move(refresh.key);
    g.row.created_at = now;
    g.row.expires_at = now + refresh_ttl_;
    g.row.access_expires_at = now + access_ttl_;
    g.row.method = std::move(origin.method);
    g.row.user_agent = std::move(origin.user_agent);
    g.row.client_ip = std::move(origin.client_ip);
    g.refresh_token = std::move(refresh.token);
    return g;
}

RotationGrant TokenIssuer::rotation(std::string_view presented_refresh_token) const {
    auto next = auth::new_refresh_token(wall_ms());
    std::int64_t now = clock_.now();
    RotationGrant g;
    g.rotation.presented_hash = auth::refresh_token_key(presented_refresh_token);
    g.rotation.next_hash = std::move(next.key);
    g.rotation.now = now;
    g.rotation.access_expires_at = now + access_ttl_;
    g.refresh_token = std::move(next.token);
    return g;
}

boost::json::object TokenIssuer::token_pair(store::User const& user,
                                            std::string const& session_id,
                                            std::string const& refresh_token,
                                            std::int64_t refresh_expires_at,
                                            std::int64_t access_expires_at,
                                            bool new_user) const {
    std::int64_t now = access_expires_at - access_ttl_;  // when the grant was made
    auth::Claims claims;
    claims.sub = std::to_string(user.id);
    claims.sid = session_id;
    claims.jti = auth::new_id();
    claims.role = user.role;
    claims.iat = now;
    claims.exp = access_expires_at;
    boost::json::object o;
    o["access_token"] = jwt_.sign(claims);
    o["token_type"] = "Bearer";
    o["expires_in"] = access_ttl_;
    o["refresh_token"] = refresh_token;
    o["refresh_expires_in"] = std::max<std::int64_t>(0, refresh_expires_at - now);
    o["user"] = user_json(user);
    o["new_user"] = new_user;
    return o;
}

}  // namespace wx::api
