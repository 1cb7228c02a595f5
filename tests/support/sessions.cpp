#include "support/sessions.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

namespace wx::test {

std::string json_string(boost::json::value const& v, std::string_view key) {
    auto const* o = v.if_object();
    auto const* f = o ? o->if_contains(key) : nullptr;
    return f && f->is_string() ? std::string{f->get_string()} : std::string{};
}

namespace {

TokenPair to_pair(HttpResult r) {
    TokenPair p;
    p.access = json_string(r.json, "access_token");
    p.refresh = json_string(r.json, "refresh_token");
    if (auto const* o = r.json.if_object())
        if (auto const* user = o->if_contains("user"); user && user->is_object())
            if (auto const* id = user->as_object().if_contains("id"); id && id->is_int64()) p.user_id = id->as_int64();
    p.response = std::move(r);
    return p;
}

}  // namespace

TokenPair wechat_login(HttpClient& client, std::string const& openid) {
    boost::json::object mint;
    if (!openid.empty()) mint["openid"] = openid;
    auto minted = client.post("/wechat-sim/control/login-code", boost::json::serialize(mint));
    boost::json::object body{{"code", json_string(minted.json, "code")}};
    return to_pair(client.post("/api/v1/auth/wechat/login", boost::json::serialize(body)));
}

TokenPair refresh(HttpClient& client, std::string const& refresh_token) {
    boost::json::object body{{"refresh_token", refresh_token}};
    return to_pair(client.post("/api/v1/auth/refresh", boost::json::serialize(body)));
}

Headers bearer(std::string const& access_token) { return {{"Authorization", "Bearer " + access_token}}; }

}  // namespace wx::test
