// Sessions per device and change password (API.md "Sessions (devices)", "Change password"),
// through the HTTP API: each login is a session with its method, cleaned User-Agent and masked
// address; the list marks the caller's own; one can be ended like a logout and another user's
// id is 404; a password change verifies the current password like a login, keeps the caller's
// session and revokes every other.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "api/session_origin.hpp"
#include "obs/mask.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr char const* kSessions = "/api/v1/users/me/sessions";
constexpr char const* kPassword = "/api/v1/users/me/password";
constexpr char const* kMe = "/api/v1/users/me";

app::Environment fast_hashing() {
    return {{"WXLOGIN_PASSWORD_MEMLIMIT_KIB", "19456"}, {"WXLOGIN_PASSWORD_QUEUE", "16"}};
}

class Devices : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }
    TokenPair password_login(std::string const& user_agent) {
        HttpClient c = app_.client();
        auto r = c.post("/api/v1/auth/login", R"({"username":"dora","password":"dora's password"})",
                        {{"User-Agent", user_agent}});
        TokenPair p;
        p.access = json_string(r.json, "access_token");
        p.refresh = json_string(r.json, "refresh_token");
        p.response = std::move(r);
        return p;
    }
    TokenPair register_dora() {
        HttpClient c = app_.client();
        auto r = c.post("/api/v1/auth/register", R"({"username":"dora","password":"dora's password"})",
                        {{"User-Agent", "Registrar/1.0"}});
        TokenPair p;
        p.access = json_string(r.json, "access_token");
        p.response = std::move(r);
        return p;
    }
    HttpResult change(std::string const& access, std::string const& current, std::string const& fresh) {
        HttpClient c = app_.client();
        return c.post(
            kPassword,
            boost::json::serialize(boost::json::object{{"current_password", current}, {"new_password", fresh}}),
            bearer(access));
    }

    // A clock that stands still: the lockout the password test provokes lasts one second, which a
    // loaded machine could otherwise let run out before the test's next request.
    TestClock clock_{SystemClock{}.now()};
    TestApp app_{fast_hashing(), clock_};
};

TEST_F(Devices, EachLoginIsASessionWithItsOriginAndTheCallersIsCurrent) {
    auto reg = register_dora();
    ASSERT_EQ(reg.response.status, 201u) << reg.response.body;
    auto phone = password_login("WeChat/8.0\t(iPhone) \xff");
    ASSERT_EQ(phone.response.status, 200u) << phone.response.body;
    HttpClient c = app_.client();
    auto wx = wechat_login(c);  // another user: never in dora's list
    ASSERT_EQ(wx.response.status, 200u);

    auto list = c.get(kSessions, bearer(phone.access));
    ASSERT_EQ(list.status, 200u) << list.body;
    auto const& sessions = list.json.at("sessions").as_array();
    ASSERT_EQ(sessions.size(), 2u);
    // Both began in the same second, so their order is the ids'; find the phone's by its agent.
    auto const& newest = json_string(sessions[0], "method") == "password" &&
                                 json_string(sessions[0], "user_agent") == "WeChat/8.0(iPhone)"
                             ? sessions[0].as_object()
                             : sessions[1].as_object();
    EXPECT_EQ(json_string(newest, "method"), "password");
    EXPECT_EQ(json_string(newest, "user_agent"), "WeChat/8.0(iPhone)") << "control bytes and non-UTF-8 removed";
    EXPECT_EQ(json_string(newest, "client_ip"), "127.0.0.x");
    EXPECT_FALSE(json_string(newest, "created_at").empty());
    EXPECT_FALSE(json_string(newest, "last_used_at").empty());
    int current = 0;
    for (auto const& s : sessions) current += s.at("current").as_bool();
    EXPECT_EQ(current, 1);
    EXPECT_EQ(json_string(&newest == &sessions[0].as_object() ? sessions[1] : sessions[0], "user_agent"),
              "Registrar/1.0");

    auto theirs = c.get(kSessions, bearer(wx.access));
    ASSERT_EQ(theirs.status, 200u);
    ASSERT_EQ(theirs.json.at("sessions").as_array().size(), 1u);
    auto const& mine = theirs.json.at("sessions").as_array()[0];
    EXPECT_EQ(json_string(mine, "method"), "wechat");
    EXPECT_TRUE(mine.at("user_agent").is_null()) << "the test client sends no User-Agent";
    EXPECT_EQ(json_string(mine, "client_ip"), "127.0.0.x");
}

TEST_F(Devices, EndingOneSessionIsALogoutAndOtherUsersIdsAreNotFound) {
    ASSERT_EQ(register_dora().response.status, 201u);
    auto laptop = password_login("Laptop");
    auto phone = password_login("Phone");
    HttpClient c = app_.client();
    auto stranger = wechat_login(c);
    auto ids = c.get(kSessions, bearer(laptop.access)).json.at("sessions").as_array();
    std::string phone_id;
    for (auto const& s : ids)
        if (json_string(s, "user_agent") == "Phone") phone_id = json_string(s, "id");
    ASSERT_FALSE(phone_id.empty());

    EXPECT_EQ(c.request("DELETE", std::string{kSessions} + "/" + phone_id, {}, bearer(stranger.access)).error_code(),
              "not_found")
        << "someone else's session: 404, never 403";
    EXPECT_EQ(c.request("DELETE", std::string{kSessions} + "/no-such-session", {}, bearer(laptop.access)).status, 404u);
    EXPECT_EQ(c.request("DELETE", std::string{kSessions} + "/" + phone_id, {}, bearer(laptop.access)).status, 204u);
    EXPECT_EQ(c.get(kMe, bearer(phone.access)).error_code(), "token_revoked");
    EXPECT_EQ(refresh(c, phone.refresh).response.error_code(), "refresh_token_invalid");
    EXPECT_EQ(c.request("DELETE", std::string{kSessions} + "/" + phone_id, {}, bearer(laptop.access)).status, 404u)
        << "already ended";
    EXPECT_EQ(c.get(kMe, bearer(laptop.access)).status, 200u);
    EXPECT_EQ(c.get(kSessions, bearer(laptop.access)).json.at("sessions").as_array().size(), 2u) << "laptop, register";
}

TEST_F(Devices, ChangingThePasswordKeepsThisSessionAndEndsEveryOther) {
    ASSERT_EQ(register_dora().response.status, 201u);
    auto here = password_login("Here");
    auto there = password_login("There");
    EXPECT_EQ(change(here.access, "dora's password", "a brand new password").status, 204u);
    HttpClient c = app_.client();
    EXPECT_EQ(c.get(kMe, bearer(here.access)).status, 200u) << "the caller's session stays";
    EXPECT_EQ(c.get(kMe, bearer(there.access)).error_code(), "token_revoked");
    EXPECT_EQ(c.post("/api/v1/auth/login", R"({"username":"dora","password":"dora's password"})").status, 401u);
    EXPECT_EQ(c.post("/api/v1/auth/login", R"({"username":"dora","password":"a brand new password"})").status, 200u);
    EXPECT_EQ(c.get(kSessions, bearer(here.access)).json.at("sessions").as_array().size(), 2u)
        << "here + the new login";
}

TEST_F(Devices, ChangePasswordRefusesInTheDocumentedOrder) {
    ASSERT_EQ(register_dora().response.status, 201u);
    auto here = password_login("Here");
    HttpClient c = app_.client();
    auto missing = c.post(kPassword, R"({"new_password":"long enough password"})", bearer(here.access));
    EXPECT_EQ(missing.error_code(), "invalid_request");
    auto weak = change(here.access, "dora's password", "short");
    EXPECT_EQ(weak.error_code(), "invalid_request");
    EXPECT_NE(weak.body.find("new_password"), std::string::npos) << weak.body;
    auto wrong = change(here.access, "not the password", "a brand new password");
    EXPECT_EQ(wrong.status, 401u);
    EXPECT_EQ(wrong.error_code(), "invalid_credentials");
    EXPECT_FALSE(wrong.has_header("WWW-Authenticate")) << "the token is fine";
    EXPECT_EQ(c.get(kMe, bearer(here.access)).status, 200u) << "a wrong password ends nothing";
    for (int i = 0; i < 4; ++i) ASSERT_EQ(change(here.access, "guess", "a brand new password").status, 401u);
    auto locked = change(here.access, "dora's password", "a brand new password");
    EXPECT_EQ(locked.error_code(), "too_many_attempts") << "counted with the login's limits";
    EXPECT_FALSE(locked.header("Retry-After").empty());
    EXPECT_EQ(c.post(kPassword, R"({"current_password":"a","new_password":"long enough password"})").status, 401u)
        << "no token";

    auto wx = wechat_login(c);
    EXPECT_EQ(change(wx.access, "anything at all", "a brand new password").error_code(), "no_password");
}

TEST(SessionOrigin, UserAgentsAreCleanedAndCutAndAddressesMasked) {
    EXPECT_EQ(api::clean_user_agent("Mozilla/5.0\r\nX-Injected: 1"), "Mozilla/5.0X-Injected: 1");
    EXPECT_EQ(api::clean_user_agent("微信 8.0"), "微信 8.0") << "UTF-8 kept";
    EXPECT_EQ(api::clean_user_agent("\xc0\xaf\xed\xa0\x80ok"), "ok") << "overlong and surrogate forms dropped";
    EXPECT_EQ(api::clean_user_agent("\x01\x02  "), std::nullopt);
    std::string const long_ua(300, 'a');
    EXPECT_EQ(api::clean_user_agent(long_ua)->size(), 256u);
    std::string wide;
    for (int i = 0; i < 300; ++i) wide += "微";
    EXPECT_EQ(api::clean_user_agent(wide)->size(), 256u * 3) << "256 characters, never inside one";
    EXPECT_EQ(obs::mask_ip("203.0.113.7"), "203.0.113.x");
    EXPECT_EQ(obs::mask_ip("2001:db8:1:2::7"), "2001:db8:1::x");
    EXPECT_EQ(obs::mask_ip("::ffff:198.51.100.9"), "198.51.100.x");
    EXPECT_EQ(obs::mask_ip("not an address"), "");
}

}  // namespace
}  // namespace wx::test
