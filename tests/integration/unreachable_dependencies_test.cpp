// Dependencies that cannot be reached at start: the database is the record, so a database that
// cannot be reached stops the start with a message naming the key (never the password); Redis is
// a fast copy, so an unreachable Redis does not — the instance serves, `degraded`, and uses Redis
// as soon as it answers.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "support/process.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

// What the App's start-up throws for these overrides; "" when it started.
std::string start_failure(app::Environment const& overrides) {
    try {
        TestApp app{overrides};
    } catch (std::runtime_error const& e) {
        return e.what();
    }
    return {};
}

TEST(UnreachableDependencies, AnUnreachableRedisLeavesTheInstanceServingDegraded) {
    init_test_process();
    std::uint16_t const port = free_port();  // nothing listens there
    TestApp app{{{"WXLOGIN_REDIS_URL", "redis://:secret-pw@127.0.0.1:" + std::to_string(port) + "/0"}}};
    HttpClient c = app.client();
    auto ready = c.get("/readyz");
    EXPECT_EQ(ready.status, 200u) << ready.body;
    EXPECT_EQ(ready.body, R"({"status":"degraded","checks":{"database":"ok","redis":"down"}})");
    auto pair = wechat_login(c);
    EXPECT_EQ(pair.response.status, 200u) << "counters and caches fall back to this instance";
    EXPECT_EQ(c.get("/api/v1/users/me", bearer(pair.access)).status, 200u);
}

TEST(UnreachableDependencies, AnUnreachableMysqlStopsTheStartNamingHostAndPortButNotThePassword) {
    init_test_process();
    std::uint16_t const port = free_port();  // nothing listens there
    std::string const failure =
        start_failure({{"WXLOGIN_DATABASE_URL", "mysql://wx:secret-pw@127.0.0.1:" + std::to_string(port) + "/wx"}});
    EXPECT_EQ(failure.rfind("WXLOGIN_DATABASE_URL: cannot connect to MySQL at 127.0.0.1:" + std::to_string(port) +
                                " (database wx, user wx): ",
                            0),
              0u)
        << failure;
    EXPECT_EQ(failure.find("secret-pw"), std::string::npos) << failure;
}

}  // namespace
}  // namespace wx::test
