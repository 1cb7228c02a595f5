#include "auth/revoked_sessions.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wx::auth {
namespace {

TEST(RevokedSessions, ContainsWhatWasRevoked) {
    TestClock clock{1000};
    RevokedSessions list{clock};
    EXPECT_FALSE(list.contains("a"));
    list.revoke("a", 2000);
    EXPECT_TRUE(list.contains("a"));
    EXPECT_FALSE(list.contains("b"));
    EXPECT_FALSE(list.contains(""));
    list.revoke("a", 1500);  // revoking again never shortens
    EXPECT_EQ(list.size(), 1u);
}

TEST(RevokedSessions, ForgetsSessionsWhoseTokensHaveExpired) {
    TestClock clock{1000};
    RevokedSessions list{clock};
    for (int i = 0; i < 4000; ++i) list.revoke("old" + std::to_string(i), 1100);
    EXPECT_EQ(list.size(), 4000u);
    clock.set(1100);
    for (int i = 0; i < 4000; ++i) list.revoke("new" + std::to_string(i), 5000);
    // Purges are amortised: every shard has doubled at least once since the clock moved.
    EXPECT_LT(list.size(), 4000u + 1000u);
    for (int i = 0; i < 4000; ++i) ASSERT_TRUE(list.contains("new" + std::to_string(i)));
}

}  // namespace
}  // namespace wx::auth
