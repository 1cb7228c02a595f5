// POST /api/v1/users/me/wechat: linking a WeChat identity to the caller's account.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr char const* kBind = "/api/v1/users/me/wechat";

class BindWeChat : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }

    std::string mint(std::string const& openid) {
        HttpClient c = app_.client();
        auto r =
            c.post("/wechat-sim/control/login-code", boost::json::serialize(boost::json::object{{"openid", openid}}));
        return json_string(r.json, "code");
    }
    HttpResult bind(std::string const& access, boost::json::object const& body) {
        HttpClient c = app_.client();
        return c.post(kBind, boost::json::serialize(body), bearer(access));
    }
    std::int64_t upstream_calls() {
        HttpClient c = app_.client();
        auto r = c.get("/wechat-sim/control/stats");
        return r.json.at("calls").at("jscode2session").as_int64();
    }

    TestApp app_;
};

TEST_F(BindWeChat, LinksANewIdentityAndLoginLandsInTheSameAccount) {
    HttpClient c = app_.client();
    auto alice = wechat_login(c, "o_alice_phone");
    auto r = bind(alice.access, {{"code", mint("o_alice_second")}});
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.json.at("id").as_int64(), alice.user_id);

    auto again = wechat_login(c, "o_alice_second");
    ASSERT_EQ(again.response.status, 200u);
    EXPECT_EQ(again.user_id, alice.user_id);
    EXPECT_FALSE(again.response.json.at("new_user").as_bool());
}

TEST_F(BindWeChat, AnIdentityOfAnotherUserIsAConflict) {
    HttpClient c = app_.client();
    auto alice = wechat_login(c, "o_alice");
    auto bob = wechat_login(c, "o_bob");
    auto r = bind(bob.access, {{"code", mint("o_alice")}});
    EXPECT_EQ(r.status, 409u) << r.body;
    EXPECT_EQ(r.error_code(), "wechat_already_bound");

    // Nothing moved: alice still logs in as alice, bob's account is unchanged.
    auto relogin = wechat_login(c, "o_alice");
    EXPECT_EQ(relogin.user_id, alice.user_id);
    auto me = c.get("/api/v1/users/me", bearer(bob.access));
    EXPECT_EQ(json_string(me.json.at("wechat"), "openid"), "o_bob");
}

TEST_F(BindWeChat, RebindingOwnIdentityIsFine) {
    HttpClient c = app_.client();
    auto alice = wechat_login(c, "o_self");
    auto r = bind(alice.access, {{"code", mint("o_self")}});
    EXPECT_EQ(r.status, 200u) << r.body;
}

TEST_F(BindWeChat, BadInputNeverReachesWeChat) {
    HttpClient c = app_.client();
    auto alice = wechat_login(c);
    auto before = upstream_calls();
    EXPECT_EQ(bind(alice.access, {}).status, 400u);
    EXPECT_EQ(bind(alice.access, {{"code", ""}}).status, 400u);
    EXPECT_EQ(bind(alice.access, {{"code", "has space"}}).status, 400u);
    auto unknown_app = bind(alice.access, {{"code", "abc"}, {"app_id", "wx_not_configured"}});
    EXPECT_EQ(unknown_app.status, 400u);
    EXPECT_EQ(upstream_calls(), before);

    auto no_token = c.post(kBind, R"({"code":"abc"})");
    EXPECT_EQ(no_token.status, 401u);
}

TEST_F(BindWeChat, WeChatErrorsAnswerAsInLogin) {
    HttpClient c = app_.client();
    auto alice = wechat_login(c);
    auto invalid = bind(alice.access, {{"code", "never-minted"}});
    EXPECT_EQ(invalid.status, 401u);
    EXPECT_EQ(invalid.error_code(), "wechat_code_invalid");
    std::string code = mint("o_used_once");
    ASSERT_EQ(bind(alice.access, {{"code", code}}).status, 200u);
    auto used = bind(alice.access, {{"code", code}});
    EXPECT_EQ(used.error_code(), "wechat_code_used");
}

}  // namespace
}  // namespace wx::test
