// The circuit breaker in front of WeChat, through the real App and the embedded simulator: a
// failing WeChat opens it, logins then answer 502 wechat_unavailable with Retry-After without
// calling WeChat, and a probe after the open time closes it again. Client errors never trip it.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr char const* kLogin = "/api/v1/auth/wechat/login";
constexpr char const* kSim = "/wechat-sim/control";

class WeChatBreaker : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }

    HttpResult login(std::string const& code) {
        HttpClient c = app_.client();
        return c.post(kLogin, boost::json::serialize(boost::json::object{{"code", code}}));
    }
    std::string fresh_code() {
        HttpClient c = app_.client();
        auto r = c.post(std::string{kSim} + "/login-code", "{}");
        EXPECT_EQ(r.status, 200u);
        return json_string(r.json, "code");
    }
    void fail_next(boost::json::object fault) {
        HttpClient c = app_.client();
        auto r = c.post(std::string{kSim} + "/fail", boost::json::serialize(fault));
        ASSERT_EQ(r.status, 200u) << r.body;
    }
    std::int64_t upstream_calls() {
        HttpClient c = app_.client();
        auto r = c.get(std::string{kSim} + "/stats");
        return r.json.at("calls").at("jscode2session").as_int64();
    }

    TestClock clock_{SystemClock{}.now()};
    TestApp app_{{{"WXLOGIN_WECHAT_BREAKER_MIN_CALLS", "4"},
                  {"WXLOGIN_WECHAT_BREAKER_FAILURE_PERCENT", "50"},
                  {"WXLOGIN_WECHAT_BREAKER_OPEN_SECONDS", "30"}},
                 clock_};
};

TEST_F(WeChatBreaker, AFailingWeChatOpensItAndAProbeClosesIt) {
    fail_next({{"api", "jscode2session"}, {"http_status", 500}, {"times", 4}});
    for (int i = 0; i < 4; ++i) EXPECT_EQ(login("code-" + std::to_string(i)).status, 502u);
    auto before = upstream_calls();

    auto refused = login(fresh_code());
    EXPECT_EQ(refused.status, 502u);
    EXPECT_EQ(refused.error_code(), "wechat_unavailable");
    EXPECT_EQ(refused.header("Retry-After"), "30");
    EXPECT_EQ(upstream_calls(), before) << "an open breaker makes no call";

    clock_.advance(30);
    auto probe = login(fresh_code());
    EXPECT_EQ(probe.status, 200u) << probe.body;
    EXPECT_EQ(upstream_calls(), before + 1);
    EXPECT_EQ(login(fresh_code()).status, 200u) << "closed again";
}

TEST_F(WeChatBreaker, ClientErrorsNeverTripIt) {
    for (int i = 0; i < 8; ++i) {
        auto r = login("not-a-real-code-" + std::to_string(i));  // the simulator answers 40029
        EXPECT_EQ(r.status, 401u);
        EXPECT_EQ(r.error_code(), "wechat_code_invalid");
    }
    EXPECT_EQ(login(fresh_code()).status, 200u);
}

}  // namespace
}  // namespace wx::test
