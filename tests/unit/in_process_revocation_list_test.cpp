#include "store/in_process_revocation_list.hpp"

#include <gtest/gtest.h>

#include <chrono>
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

// Several instances on one database and no Redis: the change log is the only way other instances'
// revocations arrive, so a copy whose last caught-up poll is too old cannot vouch for a session.
TEST(InProcessRevocationList, WithAVouchWindowAStaleCopyAnswersUnknownButNeverUnrevokes) {
    TestClock clock{1000};
    InProcessRevocationList list{clock, std::chrono::milliseconds{2000}};
    EXPECT_EQ(list.check("a"), RevocationList::Status::unknown) << "no poll has caught up yet";
    auto const now = std::chrono::steady_clock::now();
    list.database_caught_up(now);
    EXPECT_EQ(list.check("a"), RevocationList::Status::live);
    list.revoke("b", 2000);
    list.database_caught_up(now - std::chrono::seconds{10});  // a late report never moves it back
    EXPECT_EQ(list.check("a"), RevocationList::Status::live);

    InProcessRevocationList stale{clock, std::chrono::milliseconds{2000}};
    stale.revoke("b", 2000);
    stale.database_caught_up(now - std::chrono::seconds{3});
    EXPECT_EQ(stale.check("a"), RevocationList::Status::unknown);
    EXPECT_EQ(stale.check("b"), RevocationList::Status::revoked) << "what is known revoked stays revoked";
}

TEST(InProcessRevocationList, WithoutAVouchWindowItAlwaysVouches) {
    TestClock clock{1000};
    InProcessRevocationList alone{clock};
    EXPECT_EQ(alone.check("a"), RevocationList::Status::live);
}

}  // namespace
}  // namespace wx::store
