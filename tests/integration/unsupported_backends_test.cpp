// Backends this build parses but cannot serve yet, or cannot reach, stop the start with a message
// naming the key, never silently fall back to the in-process ones.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "support/process.hpp"
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

TEST(UnsupportedBackends, AConfiguredRedisStopsTheStart) {
    init_test_process();
    EXPECT_EQ(start_failure({{"WXLOGIN_REDIS_URL", "redis://:secret-pw@127.0.0.1:6379/0"}}),
              "WXLOGIN_REDIS_URL: Redis is not supported by this build yet; unset it for in-process stores");
}

TEST(UnsupportedBackends, AnUnreachableMysqlStopsTheStartNamingHostAndPortButNotThePassword) {
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
