#pragma once

#include <vector>

#include "api/token_issuer.hpp"
#include "api/user_directory.hpp"
#include "auth/data_cipher.hpp"
#include "auth/revoked_sessions.hpp"
#include "http/pipeline.hpp"
#include "obs/metrics.hpp"
#include "store/database.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {

// Session endpoints: WeChat mini-program login, refresh with rotation, logout, logout everywhere.
// Thread safety: handlers may run concurrently.
class AuthApi {
public:
    struct Deps {
        wechat::WeChatApi& wechat;
        std::vector<wechat::AppCredentials> apps;  // apps.front() is the default
        store::Database& db;
        UserDirectory& users;
        TokenIssuer const& issuer;
        auth::DataCipher const& cipher;
        auth::RevokedSessions& revoked;
        Clock const& clock;
        obs::Counter& refresh_reuse;  // spent refresh tokens presented: a security event
    };
    explicit AuthApi(Deps deps) : d_(std::move(deps)) {}

    Task<http::Response> wechat_login(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> refresh(http::Request& req, http::RequestContext& ctx);
    // Behind RequireAuth: revoke the caller's session / every session of the caller.
    Task<http::Response> logout(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> logout_all(http::Request& req, http::RequestContext& ctx);

private:
    // Puts freshly revoked sessions into the in-memory list before the caller answers, so the
    // very next request with one of their access tokens is refused.
    void remember(std::vector<store::RevokedSession> const& sessions);
    Deps d_;
};

}  // namespace wx::api
