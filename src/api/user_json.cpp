#include "api/user_json.hpp"

#include <boost/json/serialize.hpp>
#include <ctime>

namespace wx::api {

boost::json::value optional_string(std::optional<std::string> const& s) {
    if (!s) return nullptr;
    return boost::json::string{*s};
}

std::string rfc3339(std::int64_t unix_seconds) {
    std::time_t t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

boost::json::object user_json(store::User const& u) {
    boost::json::object o;
    o["id"] = u.id;
    o["username"] = optional_string(u.username);
    o["email"] = optional_string(u.email);
    o["nickname"] = u.nickname;
    o["avatar_url"] = u.avatar_url;
    o["phone"] = optional_string(u.phone);
    o["role"] = u.role;
    if (u.wechat)
        o["wechat"] = boost::json::object{{"app_id", u.wechat->app_id},
                                          {"openid", u.wechat->openid},
                                          {"unionid", optional_string(u.wechat->unionid)}};
    else
        o["wechat"] = nullptr;
    o["created_at"] = rfc3339(u.created_at);
    return o;
}

std::string render_user_json(store::User const& user) { return boost::json::serialize(user_json(user)); }

boost::json::object session_json(store::SessionInfo const& s) {
    return boost::json::object{{"id", s.id},
                               {"method", s.method},
                               {"created_at", rfc3339(s.created_at)},
                               {"last_used_at", rfc3339(s.last_used_at)},
                               {"user_agent", optional_string(s.user_agent)},
                               {"client_ip", optional_string(s.client_ip)}};
}

boost::json::object admin_user_json(store::User const& user, std::int64_t live_sessions) {
    boost::json::object o = user_json(user);
    o["disabled"] = user.disabled;
    o["sessions"] = live_sessions;
    return o;
}

}  // namespace wx::api
