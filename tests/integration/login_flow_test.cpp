// WeChat mini-program login end to end: the real App on port 0 with the embedded simulator
// (serve --dev) and a SQLite file, driven over HTTP like a mini-program would.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <thread>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"

namespace wx::test {
namespace {

constexpr char const* kLogin = "/api/v1/auth/wechat/login";
constexpr char const* kSim = "/wechat-sim/control";

class LoginFlow : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }

    struct Minted {
        std::string code, openid, session_key;
    };
    Minted mint(boost::json::object body = {}) {
        HttpClient c = app_.client();
        auto r = c.post(std::string{kSim} + "/login-code", boost::json::serialize(body));
        EXPECT_EQ(r.status, 200u) << r.body;
        return {json_string(r.json, "code"), json_string(r.json, "openid"), json_string(r.json, "session_key")};
    }
    HttpResult login(std::string const& code) {
        HttpClient c = app_.client();
        return c.post(kLogin, boost::json::serialize(boost::json::object{{"code", code}}));
    }
    void fail_next(boost::json::object fault) {
        HttpClient c = app_.client();
        auto r = c.post(std::string{kSim} + "/fail", boost::json::serialize(fault));
        ASSERT_EQ(r.status, 200u) << r.body;
    }
    std::int64_t upstream_calls() {
        HttpClient c = app_.client();
        auto r = c.get(std::string{kSim} + "/stats");
        auto const* calls = r.json.is_object() ? r.json.as_object().if_contains("calls") : nullptr;
        auto const* n = calls && calls->is_object() ? calls->as_object().if_contains("jscode2session") : nullptr;
        return n && n->is_int64() ? n->as_int64() : 0;
    }
    // Rows in a table of the app's database, read with a separate connection.
    std::int64_t rows(char const* table) { return app_.query_int(std::string{"SELECT COUNT(*) FROM "} + table); }
    void expect_nothing_written() {
        EXPECT_EQ(rows("users"), 0);
        EXPECT_EQ(rows("wechat_identities"), 0);
        EXPECT_EQ(rows("sessions"), 0);
        EXPECT_EQ(rows("refresh_tokens"), 0);
    }

    TestApp app_{{{"WXLOGIN_WECHAT_TIMEOUT_MS", "600"}}};
};

TEST_F(LoginFlow, NewUserLogsInAndReadsItself) {
    auto m = mint();
    auto r = login(m.code);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
    auto const& o = r.json.as_object();
    EXPECT_EQ(o.at("token_type"), "Bearer");
    EXPECT_EQ(o.at("expires_in"), 3600);
    EXPECT_EQ(o.at("refresh_expires_in"), 2592000);
    EXPECT_GE(json_string(r.json, "refresh_token").size(), 43u);  // 256 bits, base64url
    EXPECT_EQ(o.at("new_user"), true);
    auto const& user = o.at("user").as_object();
    EXPECT_EQ(json_string(user.at("wechat"), "openid"), m.openid);
    EXPECT_TRUE(user.at("username").is_null());
    EXPECT_TRUE(user.at("phone").is_null());
    EXPECT_EQ(user.at("role"), "user");

    HttpClient c = app_.client();
    auto me = c.get("/api/v1/users/me", {{"Authorization", "Bearer " + json_string(r.json, "access_token")}});
    ASSERT_EQ(me.status, 200u) << me.body;
    EXPECT_EQ(me.json.as_object().at("id"), user.at("id"));
    EXPECT_EQ(me.json.as_object().at("created_at"), user.at("created_at"));
}

TEST_F(LoginFlow, ReturningUserIsNotNew) {
    auto first = login(mint().code);
    ASSERT_EQ(first.status, 200u);
    std::string openid = json_string(first.json.as_object().at("user").as_object().at("wechat"), "openid");
    auto again = login(mint({{"openid", openid}}).code);
    ASSERT_EQ(again.status, 200u) << again.body;
    EXPECT_EQ(again.json.as_object().at("new_user"), false);
    EXPECT_EQ(again.json.as_object().at("user").as_object().at("id"),
              first.json.as_object().at("user").as_object().at("id"));
    EXPECT_EQ(rows("users"), 1);
    EXPECT_EQ(rows("sessions"), 2);
}

TEST_F(LoginFlow, ReusedCodeIsRejected) {
    auto m = mint();
    ASSERT_EQ(login(m.code).status, 200u);
    auto r = login(m.code);
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.error_code(), "wechat_code_used");
    EXPECT_EQ(r.json.as_object().at("error").as_object().at("wechat_errcode"), 40163);
}

TEST_F(LoginFlow, EveryRowOfTheWeChatErrorTable) {
    struct Row {
        int errcode;
        unsigned status;
        char const* code;
    };
    for (Row row : {Row{40029, 401, "wechat_code_invalid"}, Row{40163, 401, "wechat_code_used"},
                    Row{40226, 403, "wechat_user_blocked"}, Row{45011, 429, "wechat_rate_limited"},
                    Row{40013, 500, "wechat_misconfigured"}, Row{40125, 500, "wechat_misconfigured"},
                    Row{41002, 500, "wechat_misconfigured"}, Row{41004, 500, "wechat_misconfigured"},
                    Row{40999, 502, "wechat_unavailable"}}) {
        fail_next({{"api", "jscode2session"}, {"errcode", row.errcode}});
        auto r = login(mint().code);
        EXPECT_EQ(r.status, row.status) << row.errcode;
        EXPECT_EQ(r.error_code(), row.code) << row.errcode;
        auto const& err = r.json.as_object().at("error").as_object();
        EXPECT_EQ(err.at("wechat_errcode"), row.errcode);
        if (row.errcode == 45011) {
            EXPECT_EQ(r.header("Retry-After"), "60");
        }
    }
    expect_nothing_written();
}

TEST_F(LoginFlow, BusyIsRetriedOnceThenSucceeds) {
    auto m = mint();
    auto before = upstream_calls();
    fail_next({{"api", "jscode2session"}, {"errcode", -1}});
    auto r = login(m.code);
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(upstream_calls() - before, 2);
}

TEST_F(LoginFlow, BusyTwiceIsUnavailable) {
    auto before = upstream_calls();
    fail_next({{"api", "jscode2session"}, {"errcode", -1}, {"times", 2}});
    auto r = login(mint().code);
    EXPECT_EQ(r.status, 502u);
    EXPECT_EQ(r.error_code(), "wechat_unavailable");
    EXPECT_EQ(upstream_calls() - before, 2);  // retried exactly once
    expect_nothing_written();
}

TEST_F(LoginFlow, CodeUsedOnTheRetryStillCountsAsBusy) {
    fail_next({{"api", "jscode2session"}, {"errcode", -1}});
    fail_next({{"api", "jscode2session"}, {"errcode", 40163}});
    auto r = login(mint().code);
    EXPECT_EQ(r.status, 502u);
    EXPECT_EQ(r.error_code(), "wechat_unavailable");
    EXPECT_EQ(r.json.as_object().at("error").as_object().at("wechat_errcode"), -1);
}

TEST_F(LoginFlow, UpstreamHttpErrorAndGarbageAreUnavailable) {
    fail_next({{"api", "jscode2session"}, {"http_status", 503}});
    auto r = login(mint().code);
    EXPECT_EQ(r.status, 502u);
    EXPECT_EQ(r.error_code(), "wechat_unavailable");
    fail_next({{"api", "jscode2session"}, {"body", "<html>busy</html>"}});
    r = login(mint().code);
    EXPECT_EQ(r.status, 502u);
    EXPECT_EQ(r.error_code(), "wechat_unavailable");
    expect_nothing_written();
}

TEST_F(LoginFlow, SlowUpstreamTimesOutWhileOtherRequestsAreServed) {
    // WeChat would answer with success, but only after 1.5 s: past the 600 ms WeChat timeout.
    fail_next({{"api", "jscode2session"}, {"delay_ms", 1500}});
    auto before = upstream_calls();
    std::atomic<bool> done{false};
    HttpResult slow;
    std::string code = mint().code;
    std::thread t{[&] {
        slow = login(code);
        done = true;
    }};
    // While that login waits for WeChat, the server goes on answering: the stats that show the
    // call arrived, then /healthz, both before the login has its answer.
    EXPECT_TRUE(wait_until("the login's call reached WeChat", [&] { return upstream_calls() == before + 1; }));
    HttpClient c = app_.client();
    EXPECT_EQ(c.get("/healthz").status, 200u);
    EXPECT_FALSE(done) << "the login answered before /healthz did";
    t.join();
    // A 200 would mean the client waited for the slow reply.
    EXPECT_EQ(slow.status, 502u) << slow.body;
    EXPECT_EQ(slow.error_code(), "wechat_unavailable");
    EXPECT_EQ(upstream_calls() - before, 1) << "a timed-out call is not retried";
    expect_nothing_written();
}

TEST_F(LoginFlow, InvalidInputNeverReachesWeChat) {
    auto before = upstream_calls();
    struct Case {
        std::string body;
        char const* field;
        char const* reason;
    };
    for (Case const& c :
         {Case{R"({})", "code", "missing"}, Case{R"({"code":""})", "code", "empty"},
          Case{R"({"code":12345})", "code", "not_a_string"}, Case{R"({"code":null})", "code", "missing"},
          Case{R"({"code":")" + std::string(129, 'a') + R"("})", "code", "too_long"},
          Case{R"({"code":"abc\u0001def"})", "code", "invalid_characters"},
          Case{R"({"code":"abc def"})", "code", "invalid_characters"},
          Case{R"({"code":"ok","app_id":"wxunknown"})", "app_id", "unknown_app"}}) {
        HttpClient client = app_.client();
        auto r = client.post(kLogin, c.body);
        EXPECT_EQ(r.status, 400u) << c.body;
        EXPECT_EQ(r.error_code(), "invalid_request") << c.body;
        auto const& details = r.json.as_object().at("error").as_object().at("details").as_array();
        ASSERT_EQ(details.size(), 1u) << c.body;
        EXPECT_EQ(details[0].as_object().at("field"), c.field) << c.body;
        EXPECT_EQ(details[0].as_object().at("reason"), c.reason) << c.body;
    }
    EXPECT_EQ(upstream_calls(), before);
    expect_nothing_written();
}

TEST_F(LoginFlow, CodesWithUrlSpecialCharactersReachWeChatIntact) {
    // A code minted with + / = must survive the query string (Boost.URL leaves + unescaped).
    auto m = mint({{"code", "a+b/c=d"}});
    ASSERT_EQ(m.code, "a+b/c=d");
    auto r = login(m.code);
    EXPECT_EQ(r.status, 200u) << r.body;
}

TEST_F(LoginFlow, ConcurrentFirstLoginsCreateOneUser) {
    constexpr int kLogins = 16;
    std::string openid = mint().openid;  // a known openid; no login yet
    std::vector<std::string> codes;
    for (int i = 0; i < kLogins; ++i) codes.push_back(mint({{"openid", openid}}).code);
    std::vector<HttpResult> results(kLogins);
    std::vector<std::thread> threads;
    for (int i = 0; i < kLogins; ++i) threads.emplace_back([&, i] { results[i] = login(codes[i]); });
    for (auto& t : threads) t.join();
    int created = 0;
    for (auto const& r : results) {
        ASSERT_EQ(r.status, 200u) << r.body;
        if (r.json.as_object().at("new_user") == true) ++created;
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(rows("users"), 1);
    EXPECT_EQ(rows("wechat_identities"), 1);
    EXPECT_EQ(rows("sessions"), kLogins);
}

TEST_F(LoginFlow, BearerFailuresAnswerTheDocumentedCodes) {
    HttpClient c = app_.client();
    auto none = c.get("/api/v1/users/me");
    EXPECT_EQ(none.status, 401u);
    EXPECT_EQ(none.error_code(), "unauthorized");
    EXPECT_EQ(none.header("WWW-Authenticate"), "Bearer error=\"invalid_token\"");
    EXPECT_EQ(c.get("/api/v1/users/me", {{"Authorization", "Basic dXNlcjpwdw=="}}).error_code(), "unauthorized");
    EXPECT_EQ(c.get("/api/v1/users/me", {{"Authorization", "Bearer"}}).error_code(), "unauthorized");
    auto garbage = c.get("/api/v1/users/me", {{"Authorization", "Bearer not.a.token"}});
    EXPECT_EQ(garbage.status, 401u);
    EXPECT_EQ(garbage.error_code(), "token_invalid");
    EXPECT_EQ(garbage.header("WWW-Authenticate"), "Bearer error=\"invalid_token\"");
}

// The session_key and the app secret appear in no response and no log line, even at debug level.
TEST(LoginSecrets, SessionKeyAndSecretNeverLeak) {
    init_test_process();
    TempDir dir{"wxlogin-secrets"};
    std::uint16_t port = free_port();
    std::string const secret = "s3cr3t-app-secret-0123456789abcdef";
    Process p{WX_BINARY,
              {"serve", "--dev"},
              {{"WXLOGIN_LISTEN", "127.0.0.1:" + std::to_string(port)},
               {"WXLOGIN_DATABASE_URL", "sqlite://" + (dir.path() / "x.db").string()},
               {"WXLOGIN_WECHAT_SECRET", secret},
               {"WXLOGIN_LOG_LEVEL", "debug"},
               {"WXLOGIN_LOG_FORMAT", "json"}}};
    ASSERT_TRUE(p.wait_listening(port, std::chrono::seconds(10))) << p.stderr_text();
    HttpClient c{port};
    auto minted = c.post("/wechat-sim/control/login-code", "{}");
    std::string session_key = json_string(minted.json, "session_key");
    ASSERT_FALSE(session_key.empty());
    auto r = c.post(kLogin, boost::json::serialize(boost::json::object{{"code", json_string(minted.json, "code")}}));
    ASSERT_EQ(r.status, 200u) << r.body;
    auto me = c.get("/api/v1/users/me", {{"Authorization", "Bearer " + json_string(r.json, "access_token")}});
    EXPECT_EQ(me.status, 200u);
    auto reused =
        c.post(kLogin, boost::json::serialize(boost::json::object{{"code", json_string(minted.json, "code")}}));
    EXPECT_EQ(reused.status, 401u);
    for (auto const* body : {&r.body, &me.body, &reused.body}) {
        EXPECT_EQ(body->find(session_key), std::string::npos);
        EXPECT_EQ(body->find(secret), std::string::npos);
        EXPECT_EQ(body->find("session_key"), std::string::npos);
    }
    p.signal(SIGTERM);
    ASSERT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
    std::string log = p.stderr_text();
    EXPECT_NE(log.find("\"event\":\"request\""), std::string::npos);  // the log is really there
    EXPECT_EQ(log.find(session_key), std::string::npos);
    EXPECT_EQ(log.find(secret), std::string::npos);
    EXPECT_EQ(log.find(json_string(r.json, "access_token")), std::string::npos);
    EXPECT_EQ(log.find(json_string(r.json, "refresh_token")), std::string::npos);
}

}  // namespace
}  // namespace wx::test
