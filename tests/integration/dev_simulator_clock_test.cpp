// Under serve --dev the embedded simulator runs on the App's clock: a test's TestClock ages the
// simulator's login codes as it ages tokens, so code expiry is testable without sleeping.
#include <gtest/gtest.h>

#include <string>

#include "core/clock.hpp"
#include "support/http_client.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr std::int64_t kCodeLifetime = 300;  // WeChat's, as the simulator fakes it

// "wx.login()" in the embedded simulator: a fresh login code.
std::string mint_code(HttpClient& c) {
    auto minted = c.post("/wechat-sim/control/login-code", "{}", {{"Content-Type", "application/json"}});
    EXPECT_EQ(minted.status, 200u) << minted.body;
    return json_string(minted.json, "code");
}

HttpResult login(HttpClient& c, std::string const& code) {
    return c.post("/api/v1/auth/wechat/login", R"({"code":")" + code + R"("})", {{"Content-Type", "application/json"}});
}

TEST(DevSimulatorClock, TheTestClockExpiresTheSimulatorsLoginCodes) {
    init_test_process();
    TestClock clock{SystemClock{}.now()};
    TestApp app{{}, clock};
    HttpClient c = app.client();

    std::string const fresh = mint_code(c);
    std::string const stale = mint_code(c);
    clock.advance(kCodeLifetime - 1);
    EXPECT_EQ(login(c, fresh).status, 200u);  // still inside its lifetime

    clock.advance(1);  // `stale` is now exactly 300 s old
    auto expired = login(c, stale);
    EXPECT_EQ(expired.status, 401u) << expired.body;
    EXPECT_EQ(expired.error_code(), "wechat_code_invalid") << expired.body;
}

}  // namespace
}  // namespace wx::test
