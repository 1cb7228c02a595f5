#pragma once

#include <vector>

#include "api/audit.hpp"
#include "api/token_issuer.hpp"
#include "auth/data_cipher.hpp"
#include "auth/rate_limiter.hpp"
#include "http/pipeline.hpp"
#include "obs/metrics.hpp"
#include "store/revocation_list.hpp"
#include "store/session_store.hpp"
#include "store/user_cache.hpp"
#include "store/wechat_identity_store.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {

// Session endpoints: WeChat mini-program login, refresh with rotation, logout, logout everywhere.
// Thread safety: handlers may run concurrently.
class AuthApi {
public:
    struct Deps {
        wechat::WeChatApi& wechat;
        std::vector<wechat::AppCredentials> apps;  // apps.front() is the default
        store::WeChatIdentityStore& identities;
        store::SessionStore& sessions;
        store::UserCache& users;
        TokenIssuer const& issuer;
        auth::DataCipher const& cipher;
        store::RevocationList& revocations;
        auth::RateLimiter& login_limit;  // WeChat logins per client address
        Clock const& clock;
        obs::Counter& refresh_reuse;  // spent refresh tokens presented: a security event
        Audit& audit;
    };
    explicit AuthApi(Deps deps) : d_(std::move(deps)) {}

    Task<http::Response> wechat_login(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> refresh(http::Request& req, http::RequestContext& ctx);
    // Behind RequireAuth: revoke the caller's session / every session of the caller.
    Task<http::Response> logout(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> logout_all(http::Request& req, http::RequestContext& ctx);

private:
    Deps d_;
};

}  // namespace wx::api
