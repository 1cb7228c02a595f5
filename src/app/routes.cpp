// The whole HTTP surface on one screen: method, path, handler, per-route middleware.
#include "app/routes.hpp"

#include "app/app.hpp"
#include "app/console_assets.hpp"

namespace wx::app {

using http::route_to;
using http::verb;

void App::add_routes() {
    auto& r = router_;
    if (simulator_api_) add_wechat_sim_routes(r, *simulator_api_, std::string{kEmbeddedSimulatorPrefix});

    // The console: the page, then its content-hashed assets (app/console_assets.hpp). Free
    // coroutines: what they serve is constant data compiled into the binary, no object owns it.
    if (cfg_.console) {
        r.add(verb::get, "/console", &redirect_to_console);
        r.add(verb::get, "/console/", &serve_console);
        r.add(verb::get, "/console/{file}", &serve_console);
    }

    r.add(verb::get, "/healthz", route_to(ops_, &api::OpsApi::healthz));
    r.add(verb::get, "/readyz", route_to(ops_, &api::OpsApi::readyz));
    r.add(verb::get, "/metrics", route_to(ops_, &api::OpsApi::metrics));
    if (jwt_.algorithm() == "EdDSA")
        r.add(verb::get, "/.well-known/jwks.json", route_to(jwks_api_, &api::JwksApi::get));

    r.add(verb::post, "/api/v1/auth/wechat/login", route_to(auth_api_, &api::AuthApi::wechat_login));
    r.add(verb::post, "/api/v1/auth/register", route_to(password_api_, &api::PasswordApi::register_account));
    r.add(verb::post, "/api/v1/auth/login", route_to(password_api_, &api::PasswordApi::login));
    r.add(verb::post, "/api/v1/auth/refresh", route_to(auth_api_, &api::AuthApi::refresh));
    r.add(verb::post, "/api/v1/auth/logout", route_to(auth_api_, &api::AuthApi::logout), {&require_auth_});
    r.add(verb::post, "/api/v1/auth/logout-all", route_to(auth_api_, &api::AuthApi::logout_all), {&require_auth_});

    r.add(verb::get, "/api/v1/users/me", route_to(users_api_, &api::UsersApi::me), {&require_auth_});
    r.add(verb::patch, "/api/v1/users/me", route_to(users_api_, &api::UsersApi::update_me), {&require_auth_});
    r.add(verb::delete_, "/api/v1/users/me", route_to(account_api_, &api::AccountApi::delete_me), {&require_auth_});
    r.add(verb::get, "/api/v1/users/me/sessions", route_to(sessions_api_, &api::SessionsApi::list), {&require_auth_});
    r.add(verb::delete_, "/api/v1/users/me/sessions/{id}", route_to(sessions_api_, &api::SessionsApi::revoke),
          {&require_auth_});
    r.add(verb::post, "/api/v1/users/me/password", route_to(password_api_, &api::PasswordApi::change_password),
          {&require_auth_});
    r.add(verb::post, "/api/v1/users/me/wechat", route_to(user_wechat_api_, &api::UserWeChatApi::bind),
          {&require_auth_});
    r.add(verb::post, "/api/v1/users/me/phone", route_to(user_wechat_api_, &api::UserWeChatApi::phone),
          {&require_auth_});

    // Administration: the role is checked from the live account (RequireAuth loads it).
    auto admin_route = [&](verb method, std::string const& path, auto fn) {
        r.add(method, "/api/v1/admin/users" + path, route_to(admin_api_, fn), {&require_auth_, &require_admin_});
    };
    r.add(verb::get, "/api/v1/admin/users", route_to(admin_api_, &api::AdminApi::find_users),
          {&require_auth_, &require_admin_, &parse_query_});
    admin_route(verb::get, "/{id:int}", &api::AdminApi::get_user);
    admin_route(verb::patch, "/{id:int}", &api::AdminApi::update_user);
    admin_route(verb::delete_, "/{id:int}", &api::AdminApi::delete_user);
    admin_route(verb::get, "/{id:int}/sessions", &api::AdminApi::list_sessions);
    admin_route(verb::delete_, "/{id:int}/sessions/{sid}", &api::AdminApi::revoke_session);
    admin_route(verb::post, "/{id:int}/logout-all", &api::AdminApi::logout_all);
    admin_route(verb::post, "/{id:int}/unlock", &api::AdminApi::unlock);
    admin_route(verb::post, "/{id:int}/disable", &api::AdminApi::disable);
    admin_route(verb::post, "/{id:int}/enable", &api::AdminApi::enable);
}

// The simulator (serve --dev, wxlogin wechat-sim): WeChat's own endpoints, then its control API.
void add_wechat_sim_routes(http::Router& r, sim::WeChatSimApi& api, std::string const& p) {
    using sim::WeChatSimApi;
    r.add(verb::get, p + "/sns/jscode2session", route_to(api, &WeChatSimApi::jscode2session));
    r.add(verb::get, p + "/cgi-bin/token", route_to(api, &WeChatSimApi::token));
    r.add(verb::post, p + "/cgi-bin/stable_token", route_to(api, &WeChatSimApi::stable_token));
    r.add(verb::post, p + "/wxa/business/getuserphonenumber", route_to(api, &WeChatSimApi::phone_number));
    r.add(verb::post, p + "/control/login-code", route_to(api, &WeChatSimApi::control_login_code));
    r.add(verb::post, p + "/control/phone-code", route_to(api, &WeChatSimApi::control_phone_code));
    r.add(verb::post, p + "/control/fail", route_to(api, &WeChatSimApi::control_fail));
    r.add(verb::post, p + "/control/expire-access-token", route_to(api, &WeChatSimApi::control_expire_access_token));
    r.add(verb::post, p + "/control/revoke-access-token", route_to(api, &WeChatSimApi::control_revoke_access_token));
    r.add(verb::post, p + "/control/encrypted-phone", route_to(api, &WeChatSimApi::control_encrypted_phone));
    r.add(verb::get, p + "/control/stats", route_to(api, &WeChatSimApi::control_stats));
    r.add(verb::post, p + "/control/reset", route_to(api, &WeChatSimApi::control_reset));
}

}  // namespace wx::app
