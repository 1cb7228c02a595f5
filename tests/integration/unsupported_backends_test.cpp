// Backends this build parses but cannot serve yet stop the start with a message naming the key,
// never silently fall back to the in-process ones.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

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

TEST(UnsupportedBackends, AMysqlDatabaseStopsTheStart) {
    init_test_process();
    EXPECT_EQ(start_failure({{"WXLOGIN_DATABASE_URL", "mysql://wx:secret-pw@127.0.0.1:3306/wx"}}),
              "WXLOGIN_DATABASE_URL: mysql:// is not supported by this build yet; use sqlite://");
}

}  // namespace
}  // namespace wx::test
