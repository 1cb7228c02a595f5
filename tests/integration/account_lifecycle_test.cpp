// Account deletion and administration (API.md "Delete account", "Administration") through the
// HTTP API: deletion erases every personal field and frees the WeChat identity and the name;
// administrators look accounts up, disable and enable them, change roles, revoke sessions; the
// role is read from the live account; the janitor deletes what nothing can use any more.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>

#include "core/sync_wait.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr char const* kMe = "/api/v1/users/me";
constexpr char const* kAdmin = "/api/v1/admin/users";

app::Environment fast_hashing() {
    return {{"WXLOGIN_PASSWORD_MEMLIMIT_KIB", "19456"}, {"WXLOGIN_PASSWORD_QUEUE", "16"}};
}

struct Account {
    std::int64_t id = 0;
    std::string access;
    std::string refresh;
};

Account register_user(HttpClient& c, std::string const& name, std::string const& email = "") {
    boost::json::object body{{"username", name}, {"password", name + "'s password"}};
    if (!email.empty()) body["email"] = email;
    auto r = c.post("/api/v1/auth/register", boost::json::serialize(body));
    EXPECT_EQ(r.status, 201u) << r.body;
    return {r.json.at("user").at("id").as_int64(), json_string(r.json, "access_token"),
            json_string(r.json, "refresh_token")};
}

Account password_login(HttpClient& c, std::string const& name) {
    auto r =
        c.post("/api/v1/auth/login",
               boost::json::serialize(boost::json::object{{"username", name}, {"password", name + "'s password"}}));
    EXPECT_EQ(r.status, 200u) << r.body;
    return {r.json.at("user").at("id").as_int64(), json_string(r.json, "access_token"),
            json_string(r.json, "refresh_token")};
}

std::string code_for(HttpClient& c, std::string const& openid) {
    auto r = c.post("/wechat-sim/control/login-code", boost::json::serialize(boost::json::object{{"openid", openid}}));
    EXPECT_EQ(r.status, 200u) << r.body;
    return json_string(r.json, "code");
}

HttpResult delete_me(HttpClient& c, std::string const& access, std::string const& body) {
    return c.request("DELETE", kMe, body, bearer(access));
}

class AccountLifecycle : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }
    // "root" registered and made admin the way an operator would (the database, then a restart).
    Account make_admin() {
        HttpClient c = app_.client();
        Account root = register_user(c, "root");
        app_.exec_sql("UPDATE users SET role = 'admin' WHERE id = " + std::to_string(root.id));
        app_.restart();
        HttpClient again = app_.client();
        return password_login(again, "root");
    }
    TestApp app_{fast_hashing()};
};

TEST_F(AccountLifecycle, DeletionErasesEveryPersonalFieldAndFreesTheNameAndTheIdentity) {
    HttpClient c = app_.client();
    Account alice = register_user(c, "alice", "alice@example.com");
    // A WeChat identity bound to the account, and a phone number: both must go.
    auto bound =
        c.post("/api/v1/users/me/wechat", boost::json::serialize(boost::json::object{{"code", code_for(c, "o_alice")}}),
               bearer(alice.access));
    ASSERT_EQ(bound.status, 200u) << bound.body;

    EXPECT_EQ(delete_me(c, alice.access, R"({"password":"wrong password"})").error_code(), "invalid_credentials");
    EXPECT_EQ(delete_me(c, alice.access, "{}").status, 400u) << "neither kind of proof";
    auto both = delete_me(c, alice.access, R"({"password":"alice's password","code":"abc"})");
    EXPECT_EQ(both.status, 400u) << both.body;
    auto deleted = delete_me(c, alice.access, R"({"password":"alice's password"})");
    ASSERT_EQ(deleted.status, 204u) << deleted.body;

    EXPECT_EQ(c.get(kMe, bearer(alice.access)).error_code(), "token_revoked");
    EXPECT_EQ(refresh(c, alice.refresh).response.error_code(), "refresh_token_invalid");
    EXPECT_EQ(delete_me(c, alice.access, R"({"password":"alice's password"})").error_code(), "token_revoked")
        << "deleting twice";

    std::string const id = std::to_string(alice.id);
    // Every table, read directly: only the tombstone id and timestamps are left.
    EXPECT_EQ(app_.query_int("SELECT COUNT(*) FROM users WHERE id = " + id +
                             " AND username IS NULL AND username_key IS NULL AND email IS NULL AND email_key IS NULL"
                             " AND password_hash IS NULL AND phone IS NULL AND nickname = '' AND avatar_url = ''"
                             " AND deleted_at IS NOT NULL"),
              1);
    EXPECT_EQ(app_.query_int("SELECT COUNT(*) FROM wechat_identities WHERE user_id = " + id), 0);
    EXPECT_EQ(app_.query_int("SELECT COUNT(*) FROM refresh_tokens WHERE session_id IN "
                             "(SELECT id FROM sessions WHERE user_id = " +
                             id + ")"),
              0);
    EXPECT_EQ(app_.query_int("SELECT COUNT(*) FROM sessions WHERE user_id = " + id +
                             " AND (user_agent IS NOT NULL OR client_ip IS NOT NULL)"),
              0);
    EXPECT_EQ(app_.query_int("SELECT COUNT(*) FROM sessions WHERE user_id = " + id + " AND revoked_at IS NULL"), 0);

    // The name, the address and the WeChat identity are free again; the id is never reused.
    Account again = register_user(c, "alice", "alice@example.com");
    EXPECT_GT(again.id, alice.id);
    auto relogin = wechat_login(c, "o_alice");
    ASSERT_EQ(relogin.response.status, 200u);
    EXPECT_TRUE(relogin.response.json.at("new_user").as_bool());
}

TEST_F(AccountLifecycle, AWeChatUserDeletesWithAFreshCodeOfItsOwnIdentity) {
    HttpClient c = app_.client();
    auto bob = wechat_login(c, "o_bob");
    ASSERT_EQ(bob.response.status, 200u);
    auto other = c.request("DELETE", kMe, R"({"code":")" + code_for(c, "o_someone_else") + R"("})", bearer(bob.access));
    EXPECT_EQ(other.status, 403u) << other.body;
    EXPECT_EQ(other.error_code(), "forbidden");
    auto by_password = c.request("DELETE", kMe, R"({"password":"anything at all"})", bearer(bob.access));
    EXPECT_EQ(by_password.status, 400u) << "a WeChat-only account has no password to give";
    auto own = c.request("DELETE", kMe, R"({"code":")" + code_for(c, "o_bob") + R"("})", bearer(bob.access));
    ASSERT_EQ(own.status, 204u) << own.body;
    auto next = wechat_login(c, "o_bob");
    EXPECT_TRUE(next.response.json.at("new_user").as_bool());
    EXPECT_NE(next.user_id, bob.user_id);
}

TEST_F(AccountLifecycle, AdministratorsLookUpDisableEnableAndDelete) {
    Account root = make_admin();
    HttpClient c = app_.client();
    Account carol = register_user(c, "carol", "carol@example.com");
    std::string const path = std::string{kAdmin} + "/" + std::to_string(carol.id);

    EXPECT_EQ(c.get(path, bearer(carol.access)).error_code(), "forbidden") << "not an admin";
    auto view = c.get(path, bearer(root.access));
    ASSERT_EQ(view.status, 200u) << view.body;
    EXPECT_EQ(view.json.at("disabled").as_bool(), false);
    EXPECT_EQ(view.json.at("sessions").as_int64(), 1);
    for (std::string bad : {"abc", "0", "-1", "99999999999999999999", "12345678"})
        EXPECT_EQ(c.get(std::string{kAdmin} + "/" + bad, bearer(root.access)).status, 404u) << bad;

    auto found = c.get(std::string{kAdmin} + "?username=CAROL", bearer(root.access));
    ASSERT_EQ(found.status, 200u) << found.body;
    EXPECT_EQ(found.json.at("users").as_array().size(), 1u);
    EXPECT_EQ(c.get(std::string{kAdmin} + "?email=nobody@example.com", bearer(root.access))
                  .json.at("users")
                  .as_array()
                  .size(),
              0u);
    for (std::string bad : {"", "?username=carol&email=carol@example.com", "?username=", "?nickname=carol"})
        EXPECT_EQ(c.get(std::string{kAdmin} + bad, bearer(root.access)).status, 400u) << bad;

    auto disabled = c.post(path + "/disable", "", bearer(root.access));
    ASSERT_EQ(disabled.status, 200u) << disabled.body;
    EXPECT_TRUE(disabled.json.at("disabled").as_bool());
    EXPECT_EQ(c.post(path + "/disable", "", bearer(root.access)).status, 200u) << "idempotent";
    EXPECT_EQ(c.get(kMe, bearer(carol.access)).error_code(), "token_revoked");
    EXPECT_EQ(refresh(c, carol.refresh).response.error_code(), "refresh_token_invalid");
    auto right = c.post("/api/v1/auth/login", R"({"username":"carol","password":"carol's password"})");
    EXPECT_EQ(right.status, 403u) << right.body;
    EXPECT_EQ(right.error_code(), "account_disabled");
    EXPECT_EQ(c.post("/api/v1/auth/login", R"({"username":"carol","password":"a wrong guess"})").error_code(),
              "invalid_credentials");

    auto enabled = c.post(path + "/enable", "", bearer(root.access));
    ASSERT_EQ(enabled.status, 200u) << enabled.body;
    EXPECT_FALSE(enabled.json.at("disabled").as_bool());
    EXPECT_EQ(c.get(kMe, bearer(carol.access)).error_code(), "token_revoked") << "old sessions stay revoked";
    Account back = password_login(c, "carol");

    auto sessions = c.get(path + "/sessions", bearer(root.access));
    ASSERT_EQ(sessions.status, 200u) << sessions.body;
    ASSERT_EQ(sessions.json.at("sessions").as_array().size(), 1u);
    EXPECT_FALSE(sessions.json.at("sessions").as_array()[0].as_object().contains("current"));
    std::string const sid = json_string(sessions.json.at("sessions").as_array()[0], "id");
    EXPECT_EQ(c.request("DELETE", path + "/sessions/" + sid, "", bearer(root.access)).status, 204u);
    EXPECT_EQ(c.request("DELETE", path + "/sessions/" + sid, "", bearer(root.access)).status, 404u);
    EXPECT_EQ(c.get(kMe, bearer(back.access)).error_code(), "token_revoked");
    EXPECT_EQ(c.post(path + "/logout-all", "", bearer(root.access)).status, 204u);
    EXPECT_EQ(c.post(path + "/unlock", "", bearer(root.access)).status, 204u);

    EXPECT_EQ(c.request("DELETE", path, "", bearer(root.access)).status, 204u);
    EXPECT_EQ(c.request("DELETE", path, "", bearer(root.access)).status, 404u) << "deleting twice";
    EXPECT_EQ(c.get(path, bearer(root.access)).status, 404u) << "a deleted account is not found";
}

TEST_F(AccountLifecycle, RolesAreReadFromTheLiveAccountAndNoAdminLocksThemselfOut) {
    Account root = make_admin();
    HttpClient c = app_.client();
    Account dave = register_user(c, "dave");
    std::string const dave_path = std::string{kAdmin} + "/" + std::to_string(dave.id);
    std::string const root_path = std::string{kAdmin} + "/" + std::to_string(root.id);
    Headers json = bearer(root.access);
    json.emplace_back("Content-Type", "application/json");

    EXPECT_EQ(c.request("PATCH", dave_path, R"({"role":"superuser"})", json).status, 400u);
    EXPECT_EQ(c.request("PATCH", root_path, R"({"role":"user"})", json).error_code(), "conflict");
    EXPECT_EQ(c.post(root_path + "/disable", "", bearer(root.access)).error_code(), "conflict");
    EXPECT_EQ(c.request("DELETE", root_path, "", bearer(root.access)).error_code(), "conflict");

    auto promoted = c.request("PATCH", dave_path, R"({"role":"admin"})", json);
    ASSERT_EQ(promoted.status, 200u) << promoted.body;
    EXPECT_EQ(json_string(promoted.json, "role"), "admin");
    // dave's token still says role "user"; the live account says admin.
    EXPECT_EQ(c.get(root_path, bearer(dave.access)).status, 200u);
    Headers dave_json = bearer(dave.access);
    dave_json.emplace_back("Content-Type", "application/json");
    ASSERT_EQ(c.request("PATCH", dave_path, R"({"role":"admin"})", dave_json).status, 200u);
    ASSERT_EQ(c.request("PATCH", dave_path, R"({"role":"user"})", json).status, 200u);
    EXPECT_EQ(c.get(root_path, bearer(dave.access)).error_code(), "forbidden") << "a demoted admin's token";
}

TEST(AccountLifecycleJanitor, DeletesWhatNothingCanUseAndKeepsTheRowCountBounded) {
    init_test_process();
    TestClock clock{1'800'000'000};
    TestApp app{{{"WXLOGIN_PASSWORD_MEMLIMIT_KIB", "19456"},
                 {"WXLOGIN_REFRESH_TTL", "7200"},
                 {"WXLOGIN_JANITOR_MARGIN", "60"},
                 {"WXLOGIN_JANITOR_BATCH", "7"}},
                clock};
    HttpClient c = app.client();
    std::int64_t deleted_total = 0;
    // Ten rounds of a day each: 20 logins a round, half of them logged out at once.
    for (int round = 0; round < 10; ++round) {
        for (int i = 0; i < 20; ++i) {
            auto login = wechat_login(c, "o_round_user_" + std::to_string(i));
            ASSERT_EQ(login.response.status, 200u);
            if (i % 2 == 0) {
                ASSERT_EQ(c.post("/api/v1/auth/logout", "", bearer(login.access)).status, 204u);
            }
        }
        clock.advance(86400);
        auto ran = sync_wait(app.app().janitor().run_once());
        ASSERT_TRUE(ran.has_value()) << ran.error().message();
        EXPECT_EQ(ran->sessions, 20) << "round " << round << ": every session of the round is past its expiry";
        deleted_total += ran->sessions;
        EXPECT_EQ(app.query_int("SELECT COUNT(*) FROM sessions"), 0) << "round " << round;
        EXPECT_EQ(app.query_int("SELECT COUNT(*) FROM refresh_tokens"), 0) << "round " << round;
    }
    EXPECT_EQ(deleted_total, 200);
    auto metrics = c.get("/metrics");
    EXPECT_NE(metrics.body.find("wxlogin_janitor_rows_deleted_total{table=\"sessions\"} 200"), std::string::npos)
        << metrics.body.substr(0, 400);
}

TEST(AccountLifecycleJanitor, KeepsARevocationUntilItsLastAccessTokenHasExpired) {
    init_test_process();
    TestClock clock{1'800'000'000};
    TestApp app{{{"WXLOGIN_ACCESS_TTL", "600"}}, clock};
    HttpClient c = app.client();
    auto login = wechat_login(c, "o_revoked");
    ASSERT_EQ(c.post("/api/v1/auth/logout", "", bearer(login.access)).status, 204u);
    clock.advance(600);  // exactly at exp: the leeway still accepts the token
    ASSERT_TRUE(sync_wait(app.app().janitor().run_once()).has_value());
    EXPECT_EQ(app.query_int("SELECT COUNT(*) FROM sessions WHERE revoked_at IS NOT NULL"), 1);
    clock.advance(31);  // past exp + the 30 s leeway
    auto ran = sync_wait(app.app().janitor().run_once());
    ASSERT_TRUE(ran.has_value());
    EXPECT_EQ(ran->sessions, 1);
    EXPECT_EQ(app.query_int("SELECT COUNT(*) FROM sessions"), 0);
}

}  // namespace
}  // namespace wx::test
