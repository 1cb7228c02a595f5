#pragma once

#include <vector>

#include "api/user_directory.hpp"
#include "auth/data_cipher.hpp"
#include "core/clock.hpp"
#include "http/pipeline.hpp"
#include "store/database.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {

// What an account gets from WeChat after login: binding a WeChat identity to an account
// (POST /users/me/wechat). Runs behind RequireAuth.
// Thread safety: handlers may run concurrently.
class UserWeChatApi {
public:
    struct Deps {
        wechat::WeChatApi& wechat;
        std::vector<wechat::AppCredentials> apps;  // apps.front() is the default
        store::Database& db;
        UserDirectory& users;
        auth::DataCipher const& cipher;
        Clock const& clock;
    };
    explicit UserWeChatApi(Deps deps) : d_(std::move(deps)) {}

    Task<http::Response> bind(http::Request& req, http::RequestContext& ctx);

private:
    Deps d_;
};

}  // namespace wx::api
