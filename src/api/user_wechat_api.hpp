#pragma once

#include <vector>

#include "api/api_error.hpp"
#include "auth/data_cipher.hpp"
#include "core/clock.hpp"
#include "http/pipeline.hpp"
#include "store/user_cache.hpp"
#include "store/user_store.hpp"
#include "store/wechat_identity_store.hpp"
#include "wechat/access_token_cache.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {

// What an account gets from WeChat after login: binding a WeChat identity to an account
// (POST /users/me/wechat) and the phone number (POST /users/me/phone). Runs behind RequireAuth.
// Thread safety: handlers may run concurrently.
class UserWeChatApi {
public:
    struct Deps {
        wechat::WeChatApi& wechat;
        wechat::AccessTokenSource& access_tokens;
        std::vector<wechat::AppCredentials> apps;  // apps.front() is the default
        store::WeChatIdentityStore& identities;
        store::UserStore& accounts;
        store::UserCache& users;
        auth::DataCipher const& cipher;
        Clock const& clock;
    };
    explicit UserWeChatApi(Deps deps) : d_(std::move(deps)) {}

    Task<http::Response> bind(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> phone(http::Request& req, http::RequestContext& ctx);

private:
    // The legacy path: decrypt with the session_key stored at the caller's last login.
    Task<result<wechat::PhoneInfo, ApiError>> decrypt_phone(std::int64_t user_id,
                                                            wechat::AppCredentials const& app,
                                                            std::string encrypted_data,
                                                            std::string iv);
    Deps d_;
};

}  // namespace wx::api
