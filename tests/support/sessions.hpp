#pragma once
// Session helpers for tests that need a logged-in caller: WeChat login through the embedded
// simulator of `serve --dev`, refresh, and bearer headers.

#include <cstdint>
#include <string>

#include "support/http_client.hpp"

namespace wx::test {

struct TokenPair {
    HttpResult response;  // the whole answer, for status and error checks
    std::string access;
    std::string refresh;
    std::int64_t user_id = 0;
};

// Mints a login code in the embedded simulator for `openid` (a fresh user when empty) and logs in.
[[nodiscard]] TokenPair wechat_login(HttpClient& client, std::string const& openid = "");
// POST /api/v1/auth/refresh with this token.
[[nodiscard]] TokenPair refresh(HttpClient& client, std::string const& refresh_token);
[[nodiscard]] Headers bearer(std::string const& access_token);
// A JSON string member of an object value, or "" when absent.
[[nodiscard]] std::string json_string(boost::json::value const& v, std::string_view key);

}  // namespace wx::test
