// /metrics as an operator scrapes it: every family the README lists is exported with its type,
// and the figures move with what the service did — WeChat calls by outcome and errcode, the
// access-token fetch, user-cache lookups, rate-limit refusals, the process figures — on both
// stacks (with the pool and Redis families only where there is a pool and a Redis).
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <string>
#include <vector>

#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

bool has_line(std::string const& text, std::string const& line) {
    return ("\n" + text).find("\n" + line + "\n") != std::string::npos;
}

// The value of the sample `series` (name with labels, as rendered), or -1 when absent.
double sample(std::string const& text, std::string const& series) {
    auto const at = ("\n" + text).find("\n" + series + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + series.size() + 1));
}

struct Family {
    char const* name;
    char const* type;
};

// Every family on every instance (README "Metrics").
std::vector<Family> const kAlways = {
    {"wxlogin_build_info", "gauge"},
    {"wxlogin_http_requests_total", "counter"},
    {"wxlogin_http_request_duration_seconds", "histogram"},
    {"wxlogin_http_connections", "gauge"},
    {"wxlogin_blocking_in_flight", "gauge"},
    {"wxlogin_blocking_capacity", "gauge"},
    {"wxlogin_blocking_rejected_total", "counter"},
    {"wxlogin_password_hashes_in_flight", "gauge"},
    {"wxlogin_password_hashes_rejected_total", "counter"},
    {"wxlogin_revoked_sessions", "gauge"},
    {"wxlogin_auth_events_total", "counter"},
    {"wxlogin_user_cache_lookups_total", "counter"},
    {"wxlogin_wechat_requests_total", "counter"},
    {"wxlogin_wechat_request_duration_seconds", "histogram"},
    {"wxlogin_wechat_breaker_state", "gauge"},
    {"wxlogin_wechat_breaker_trips_total", "counter"},
    {"wxlogin_wechat_breaker_refusals_total", "counter"},
    {"wxlogin_wechat_access_token_fetches_total", "counter"},
    {"wxlogin_rate_limited_total", "counter"},
    {"process_cpu_seconds_total", "counter"},
    {"process_resident_memory_bytes", "gauge"},
    {"process_virtual_memory_bytes", "gauge"},
    {"process_open_fds", "gauge"},
    {"process_max_fds", "gauge"},
    {"process_threads", "gauge"},
    {"process_start_time_seconds", "gauge"},
};
// Only with MySQL and with Redis.
std::vector<Family> const kWithPoolAndRedis = {
    {"wxlogin_db_pool_connections", "gauge"},
    {"wxlogin_db_pool_max_connections", "gauge"},
    {"wxlogin_db_pool_waiting", "gauge"},
    {"wxlogin_db_pool_opened_total", "counter"},
    {"wxlogin_redis_up", "gauge"},
    {"wxlogin_redis_failures_total", "counter"},
};

TEST(Metrics, EveryListedFamilyIsExportedWithItsType) {
    init_test_process();
    TestApp app;
    HttpClient c = app.client();
    std::string const text = c.get("/metrics").body;
    for (auto const& f : kAlways)
        EXPECT_TRUE(has_line(text, std::string{"# TYPE "} + f.name + " " + f.type)) << f.name << "\n" << text;
    bool const pooled = test_stack() == TestStack::mariadb_redis;
    for (auto const& f : kWithPoolAndRedis)
        EXPECT_EQ(has_line(text, std::string{"# TYPE "} + f.name + " " + f.type), pooled) << f.name;
    if (pooled) {
        EXPECT_EQ(sample(text, "wxlogin_redis_up"), 1);
        EXPECT_EQ(sample(text, "wxlogin_db_pool_max_connections"), 10) << "WXLOGIN_DB_POOL_SIZE's default";
        EXPECT_EQ(sample(text, "wxlogin_db_pool_waiting"), 0);
    }
    EXPECT_EQ(sample(text, R"(wxlogin_build_info{version=")" WX_VERSION R"("})"), 1);
    EXPECT_GT(sample(text, "process_resident_memory_bytes"), 1 << 20);
    EXPECT_GT(sample(text, "process_threads"), 2);
    EXPECT_GT(sample(text, "process_open_fds"), 3);
    EXPECT_EQ(sample(text, "wxlogin_wechat_breaker_state"), 0) << "closed";
}

TEST(Metrics, FiguresFollowWhatTheServiceDid) {
    init_test_process();
    TestApp app{{{"WXLOGIN_RATE_REGISTER", "1"}}};
    HttpClient c = app.client();
    auto user = wechat_login(c, "o_metrics");
    ASSERT_EQ(user.response.status, 200u) << user.response.body;
    auto used = c.post("/api/v1/auth/wechat/login", R"({"code":"never-minted"})");
    ASSERT_EQ(used.error_code(), "wechat_code_invalid");
    for (int i = 0; i < 2; ++i) ASSERT_EQ(c.get("/api/v1/users/me", bearer(user.access)).status, 200u);
    auto code = c.post("/wechat-sim/control/phone-code", R"({"phone":"13800138000"})");
    auto phone = c.post("/api/v1/users/me/phone",
                        boost::json::serialize(boost::json::object{{"code", json_string(code.json, "code")}}),
                        bearer(user.access));
    ASSERT_EQ(phone.status, 200u) << phone.body;
    for (int i = 0; i < 2; ++i) (void)c.post("/api/v1/auth/register", R"({"username":"m_user","password":"x"})");

    std::string const text = c.get("/metrics").body;
    EXPECT_EQ(sample(text, R"(wxlogin_wechat_requests_total{api="jscode2session",outcome="ok",errcode=""})"), 1)
        << text;
    EXPECT_EQ(sample(text, R"(wxlogin_wechat_requests_total{api="jscode2session",outcome="errcode",errcode="40029"})"),
              1);
    EXPECT_EQ(sample(text, R"(wxlogin_wechat_requests_total{api="stable_token",outcome="ok",errcode=""})"), 1);
    EXPECT_EQ(sample(text, R"(wxlogin_wechat_requests_total{api="getuserphonenumber",outcome="ok",errcode=""})"), 1);
    EXPECT_EQ(sample(text, R"(wxlogin_wechat_request_duration_seconds_count{api="jscode2session"})"), 2);
    EXPECT_EQ(sample(text, R"(wxlogin_wechat_access_token_fetches_total{outcome="fetched"})"), 1);
    EXPECT_EQ(sample(text, R"(wxlogin_wechat_access_token_fetches_total{outcome="failed"})"), 0);
    EXPECT_EQ(sample(text, R"(wxlogin_rate_limited_total{limit="register"})"), 1) << "the second registration";
    EXPECT_EQ(sample(text, R"(wxlogin_rate_limited_total{limit="wechat_login"})"), 0);
    // Each authenticated request looks the user up once in RequireAuth; GET /users/me once more.
    // 2 x /users/me (2 each) + the phone binding (1) = 5, all hits: the login put the user there.
    EXPECT_EQ(sample(text, R"(wxlogin_user_cache_lookups_total{result="hit"})"), 5);
    EXPECT_EQ(sample(text, R"(wxlogin_user_cache_lookups_total{result="miss"})"), 0);
}

}  // namespace
}  // namespace wx::test
