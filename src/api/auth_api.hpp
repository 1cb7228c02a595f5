#pragma once

#include <vector>

#include "api/token_issuer.hpp"
#include "api/user_directory.hpp"
#include "auth/data_cipher.hpp"
#include "http/pipeline.hpp"
#include "store/database.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {

// Login endpoints: WeChat mini-program login (and, later, password and refresh).
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
        Clock const& clock;
    };
    explicit AuthApi(Deps deps) : d_(std::move(deps)) {}

    Task<http::Response> wechat_login(http::Request& req, http::RequestContext& ctx);

private:
    [[nodiscard]] wechat::AppCredentials const* find_app(std::optional<std::string> const& app_id) const;
    Deps d_;
};

}  // namespace wx::api
