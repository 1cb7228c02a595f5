// Per-client-address rate limits on WeChat login and registration (API.md: 429 rate_limited with
// Retry-After), through the real App; the client address comes from a trusted proxy's
// X-Forwarded-For so that one test can be several clients.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

class RateLimits : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }

    HttpResult wechat_login(std::string const& client, std::string const& code) {
        HttpClient c = app_.client();
        return c.post("/api/v1/auth/wechat/login", boost::json::serialize(boost::json::object{{"code", code}}),
                      {{"X-Forwarded-For", client}});
    }
    HttpResult register_user(std::string const& client, std::string const& name) {
        HttpClient c = app_.client();
        boost::json::object body{{"username", name}, {"password", "correct horse battery"}};
        return c.post("/api/v1/auth/register", boost::json::serialize(body), {{"X-Forwarded-For", client}});
    }
    std::string fresh_code() {
        HttpClient c = app_.client();
        auto r = c.post("/wechat-sim/control/login-code", "{}");
        return json_string(r.json, "code");
    }
    std::int64_t upstream_calls() {
        HttpClient c = app_.client();
        return c.get("/wechat-sim/control/stats").json.at("calls").at("jscode2session").as_int64();
    }

    TestClock clock_{1'800'000'010};  // 10 s into a minute
    TestApp app_{{{"WXLOGIN_RATE_WECHAT_LOGIN", "3"},
                  {"WXLOGIN_RATE_REGISTER", "2"},
                  {"WXLOGIN_TRUSTED_PROXIES", "127.0.0.1"},
                  {"WXLOGIN_PASSWORD_MEMLIMIT_KIB", "19456"}},
                 clock_};
};

TEST_F(RateLimits, WeChatLoginsPerAddressAreLimitedBeforeWeChatIsCalled) {
    for (int i = 0; i < 3; ++i) EXPECT_EQ(wechat_login("198.51.100.1", fresh_code()).status, 200u);
    auto before = upstream_calls();
    auto refused = wechat_login("198.51.100.1", fresh_code());
    EXPECT_EQ(refused.status, 429u);
    EXPECT_EQ(refused.error_code(), "rate_limited");
    EXPECT_EQ(refused.header("Retry-After"), "50") << "the rest of the minute";
    EXPECT_EQ(upstream_calls(), before) << "a refused login never reaches WeChat";
    EXPECT_EQ(wechat_login("198.51.100.2", fresh_code()).status, 200u) << "another address has its own count";
    clock_.advance(50);
    EXPECT_EQ(wechat_login("198.51.100.1", fresh_code()).status, 200u) << "a new window";
}

TEST_F(RateLimits, RegistrationsPerAddressAreLimitedAndCountedApartFromLogins) {
    EXPECT_EQ(register_user("203.0.113.5", "first").status, 201u);
    EXPECT_EQ(register_user("203.0.113.5", "x").status, 400u) << "invalid attempts count too";
    auto refused = register_user("203.0.113.5", "third");
    EXPECT_EQ(refused.status, 429u);
    EXPECT_EQ(refused.error_code(), "rate_limited");
    EXPECT_EQ(refused.header("Retry-After"), "50");
    EXPECT_EQ(wechat_login("203.0.113.5", fresh_code()).status, 200u) << "logins have their own limit";
}

}  // namespace
}  // namespace wx::test
