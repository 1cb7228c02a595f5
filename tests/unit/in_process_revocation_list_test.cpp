#include "store/in_process_revocation_list.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wx::store {
namespace {

TEST(InProcessRevocationList, ContainsWhatWasRevoked) {
    TestClock clock{1000};
    InProcessRevocationList list{clock};
    EXPECT_EQ(list.check("a"), RevocationList::Status::live);
    list.revoke("a", 2000);
    EXPECT_EQ(list.check("a"), RevocationList::Status::revoked);
    EXPECT_EQ(list.check("b"), RevocationList::Status::live);
    EXPECT_EQ(list.check(""), RevocationList::Status::live);
    list.revoke("a", 1500);  // revoking again never shortens
    EXPECT_EQ(list.size(), 1u);
}

TEST(InProcessRevocationList, ForgetsSessionsWhoseTokensHaveExpired) {
    TestClock clock{1000};
    InProcessRevocationList list{clock};
    for (int i = 0; i < 4000; ++i) list.revoke("old" + std::to_string(i), 1100);
    EXPECT_EQ(list.size(), 4000u);
    clock.set(1100);
    for (int i = 0; i < 4000; ++i) list.revoke("new" + std::to_string(i), 5000);
    // Purges are amortised: every shard has doubled at least once since the clock moved.
    EXPECT_LT(list.size(), 4000u + 1000u);
    for (int i = 0; i < 4000; ++i) ASSERT_EQ(list.check("new" + std::to_string(i)), RevocationList::Status::revoked);
}

}  // namespace
}  // namespace wx::store
