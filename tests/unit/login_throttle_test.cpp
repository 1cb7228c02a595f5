#include "auth/login_throttle.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "auth/credential_rules.hpp"
#include "store/in_process_attempt_counter.hpp"
#include "support/run_sync.hpp"

namespace wx::auth {
namespace {

using std::chrono::seconds;

constexpr std::int64_t kStart = 1'800'000'000;

// The throttle over the in-process counter, driven synchronously: that counter completes every
// call at once, so each call runs to its end on a private io_context.
struct SyncThrottle {
    SyncThrottle(LoginThrottleConfig config, Clock const& clock, store::AttemptCounterConfig counter_config = {})
        : counter(counter_config), throttle(config, counter, clock) {}
    [[nodiscard]] std::optional<seconds> check(LoginKeys keys) const { return test::run_sync(throttle.check(keys)); }
    std::optional<seconds> admit(LoginKeys keys) { return test::run_sync(throttle.admit(keys)); }
    void record_success(LoginKeys keys) { test::run_sync(throttle.record_success(keys)); }
    [[nodiscard]] std::size_t size() const { return counter.size(); }
    [[nodiscard]] std::uint64_t evictions() const { return counter.evictions(); }

    store::InProcessAttemptCounter counter;
    LoginThrottle throttle;
};

class LoginThrottleTest : public ::testing::Test {
protected:
    void fail_times(LoginKeys const& keys, int n) {
        for (int i = 0; i < n; ++i) throttle_.admit(keys);
    }

    TestClock clock_{kStart};
    SyncThrottle throttle_{LoginThrottleConfig{}, clock_};
    LoginKeys const alice_{.account = "alice", .address = "198.51.100.7"};
};

TEST_F(LoginThrottleTest, FreeFailuresThenLocked) {
    fail_times(alice_, 4);
    EXPECT_EQ(throttle_.check(alice_), std::nullopt) << "4 of 5 free failures used";
    throttle_.admit(alice_);
    EXPECT_EQ(throttle_.check(alice_), seconds(1)) << "the 5th failure locks for the first lockout";
}

TEST_F(LoginThrottleTest, LockoutEndsAfterRetryAfter) {
    fail_times(alice_, 5);
    ASSERT_EQ(throttle_.check(alice_), seconds(1));
    clock_.advance(1);
    EXPECT_EQ(throttle_.check(alice_), std::nullopt);
}

TEST_F(LoginThrottleTest, LockoutDoublesWithEachFurtherFailureUpToTheCap) {
    fail_times(alice_, 5);
    std::int64_t expected = 1;
    for (int extra = 1; extra <= 12; ++extra) {
        std::optional<seconds> const wait = throttle_.check(alice_);
        ASSERT_TRUE(wait.has_value());
        clock_.advance(wait->count());
        ASSERT_EQ(throttle_.check(alice_), std::nullopt);
        throttle_.admit(alice_);
        expected = std::min<std::int64_t>(expected * 2, 15 * 60);
        EXPECT_EQ(throttle_.check(alice_), seconds(expected)) << "after failure " << 5 + extra;
    }
    EXPECT_EQ(throttle_.check(alice_), seconds(900));
}

TEST_F(LoginThrottleTest, RetryAfterCountsDownInWholeSecondsAtLeastOne) {
    LoginThrottleConfig config;
    config.account.first_lockout = 8;
    SyncThrottle throttle{config, clock_};
    for (int i = 0; i < 5; ++i) ASSERT_EQ(throttle.admit(alice_), std::nullopt);
    EXPECT_EQ(throttle.admit(alice_), seconds(8)) << "locked for 8 s from the last failure";
    clock_.advance(5);
    EXPECT_EQ(throttle.admit(alice_), seconds(3));
    clock_.advance(2);
    EXPECT_EQ(throttle.check(alice_), seconds(1));
    clock_.advance(1);
    EXPECT_EQ(throttle.check(alice_), std::nullopt);
}

TEST_F(LoginThrottleTest, AttemptsRefusedDuringALockoutAreNotCharged) {
    fail_times(alice_, 5);
    for (int i = 0; i < 10; ++i) ASSERT_EQ(throttle_.admit(alice_), seconds(1)) << "refused " << i;
    clock_.advance(1);
    EXPECT_EQ(throttle_.admit(alice_), std::nullopt) << "the 6th failure, not the 16th";
    EXPECT_EQ(throttle_.check(alice_), seconds(2));
}

TEST_F(LoginThrottleTest, ALockedAddressTakesBackTheAccountsCharge) {
    std::string const ip = "192.0.2.1";
    for (int i = 0; i < 20; ++i)
        ASSERT_EQ(throttle_.admit(LoginKeys{.account = "user" + std::to_string(i), .address = ip}), std::nullopt);
    // alice is charged first, then refused by the address: her count must not move.
    for (int i = 0; i < 10; ++i) ASSERT_EQ(throttle_.admit(LoginKeys{.account = "alice", .address = ip}), seconds(1));
    fail_times(LoginKeys{.account = "alice"}, 4);
    EXPECT_EQ(throttle_.check(LoginKeys{.account = "alice"}), std::nullopt) << "4 of her 5 free failures used";
}

TEST_F(LoginThrottleTest, QuietPeriodForgetsFailures) {
    fail_times(alice_, 5);
    clock_.advance(12 * 3600);
    EXPECT_EQ(throttle_.check(alice_), std::nullopt);
    fail_times(alice_, 4);
    EXPECT_EQ(throttle_.check(alice_), std::nullopt) << "counting restarted from zero";
    throttle_.admit(alice_);
    EXPECT_EQ(throttle_.check(alice_), seconds(1));
}

TEST_F(LoginThrottleTest, FailuresInsideTheQuietPeriodKeepCounting) {
    fail_times(alice_, 4);
    clock_.advance(12 * 3600 - 1);
    throttle_.admit(alice_);
    EXPECT_EQ(throttle_.check(alice_), seconds(1));
}

TEST_F(LoginThrottleTest, SuccessResetsTheAccountButNotTheAddress) {
    LoginKeys const account_only{.account = "alice"};
    fail_times(account_only, 4);
    throttle_.record_success(alice_);
    fail_times(account_only, 4);
    EXPECT_EQ(throttle_.check(account_only), std::nullopt);

    // 19 failures from one address spread over many accounts, then a success on one of them.
    for (int i = 0; i < 19; ++i) {
        std::string const account = "victim" + std::to_string(i);
        throttle_.admit(LoginKeys{.account = account, .address = "203.0.113.9"});
    }
    // mallory's own login is charged, then refunded when it succeeds: the 19 stay.
    throttle_.admit(LoginKeys{.account = "mallory", .address = "203.0.113.9"});
    EXPECT_NE(throttle_.check(LoginKeys{.account = "someone", .address = "203.0.113.9"}), std::nullopt);
    throttle_.record_success(LoginKeys{.account = "mallory", .address = "203.0.113.9"});
    EXPECT_EQ(throttle_.check(LoginKeys{.account = "someone", .address = "203.0.113.9"}), std::nullopt);
    throttle_.admit(LoginKeys{.account = "victim99", .address = "203.0.113.9"});
    EXPECT_EQ(throttle_.check(LoginKeys{.account = "someone", .address = "203.0.113.9"}), seconds(1));
}

TEST_F(LoginThrottleTest, AddressKeyLocksAfterItsOwnLargerAllowance) {
    std::string const ip = "192.0.2.1";
    for (int i = 0; i < 19; ++i) {
        std::string const account = "user" + std::to_string(i);
        throttle_.admit(LoginKeys{.account = account, .address = ip});
    }
    EXPECT_EQ(throttle_.check(LoginKeys{.account = "fresh", .address = ip}), std::nullopt);
    throttle_.admit(LoginKeys{.account = "user19", .address = ip});
    EXPECT_EQ(throttle_.check(LoginKeys{.account = "fresh", .address = ip}), seconds(1));
    EXPECT_EQ(throttle_.check(LoginKeys{.account = "fresh", .address = "192.0.2.2"}), std::nullopt);
    EXPECT_EQ(throttle_.check(LoginKeys{.account = "fresh"}), std::nullopt);
    // The address forgets after its own, shorter quiet period.
    clock_.advance(3600);
    EXPECT_EQ(throttle_.check(LoginKeys{.address = ip}), std::nullopt);
    for (int i = 0; i < 19; ++i) throttle_.admit(LoginKeys{.address = ip});
    EXPECT_EQ(throttle_.check(LoginKeys{.address = ip}), std::nullopt) << "counting restarted from zero";
}

TEST_F(LoginThrottleTest, AccountLockHoldsFromAnyAddress) {
    fail_times(alice_, 5);
    EXPECT_EQ(throttle_.check(LoginKeys{.account = "alice", .address = "203.0.113.200"}), seconds(1));
}

TEST_F(LoginThrottleTest, RetryAfterIsTheLongerOfBothKeys) {
    LoginThrottleConfig config;
    config.address.free_failures = 2;
    config.address.first_lockout = 2;
    SyncThrottle throttle{config, clock_};
    ASSERT_EQ(throttle.admit(LoginKeys{.account = "a", .address = "ip"}), std::nullopt);
    ASSERT_EQ(throttle.admit(LoginKeys{.account = "b", .address = "ip"}), std::nullopt);             // the address: 2 s
    for (int i = 0; i < 4; ++i) ASSERT_EQ(throttle.admit(LoginKeys{.account = "a"}), std::nullopt);  // a: 1 s
    EXPECT_EQ(throttle.check(LoginKeys{.account = "a", .address = "ip"}), seconds(2));
    EXPECT_EQ(throttle.admit(LoginKeys{.account = "a", .address = "ip"}), seconds(2))
        << "refused by the account, told the address's wait";
}

TEST_F(LoginThrottleTest, AccountAndAddressKeysNeverCollide) {
    // An account literally named like an address does not share its counter.
    fail_times(LoginKeys{.account = "10.0.0.1"}, 5);
    EXPECT_EQ(throttle_.check(LoginKeys{.address = "10.0.0.1"}), std::nullopt);
    EXPECT_EQ(throttle_.check(LoginKeys{.account = "10.0.0.1"}), seconds(1));
}

TEST_F(LoginThrottleTest, CanonicalKeysMakeCaseVariantsOneAccount) {
    fail_times(LoginKeys{.account = username_key("Alice")}, 3);
    fail_times(LoginKeys{.account = username_key("ALICE")}, 2);
    EXPECT_EQ(throttle_.check(LoginKeys{.account = username_key("alice")}), seconds(1));
}

TEST_F(LoginThrottleTest, EmptyKeysAreIgnored) {
    fail_times(LoginKeys{}, 100);
    EXPECT_EQ(throttle_.size(), 0U);
    EXPECT_EQ(throttle_.check(LoginKeys{}), std::nullopt);
}

TEST_F(LoginThrottleTest, HugeKeysAreBounded) {
    std::string const huge(64 * 1024, 'x');
    fail_times(LoginKeys{.account = huge}, 5);
    EXPECT_EQ(throttle_.check(LoginKeys{.account = huge}), seconds(1));
    EXPECT_EQ(throttle_.size(), 1U);
}

TEST(LoginThrottleEviction, EntriesStayBoundedAndEvictionOnlyForgets) {
    TestClock clock{kStart};
    LoginThrottleConfig config;
    SyncThrottle throttle{config, clock, store::AttemptCounterConfig{.max_entries = 4, .shards = 1}};

    LoginKeys const oldest{.account = "oldest"};
    for (int i = 0; i < 5; ++i) throttle.admit(oldest);
    ASSERT_EQ(throttle.check(oldest), seconds(1));
    for (std::size_t i = 0; i < 10; ++i) {
        clock.advance(1);
        std::string const account = "spray" + std::to_string(i);
        throttle.admit(LoginKeys{.account = account});
        EXPECT_EQ(throttle.size(), std::min<std::size_t>(i + 2, 4)) << "after spray " << i;  // full from the third
    }
    EXPECT_EQ(throttle.evictions(), 7U);
    // The evicted key lost its failures: fail open, never a lockout for someone who had none.
    EXPECT_EQ(throttle.check(oldest), std::nullopt);
    throttle.admit(oldest);
    EXPECT_EQ(throttle.check(oldest), std::nullopt);
}

TEST(LoginThrottleEviction, RecentlyFailingKeysSurviveOverOldOnes) {
    TestClock clock{kStart};
    LoginThrottleConfig config;
    config.account.free_failures = 10;
    SyncThrottle throttle{config, clock, store::AttemptCounterConfig{.max_entries = 3, .shards = 1}};
    LoginKeys const hot{.account = "hot"};
    throttle.admit(hot);
    for (int i = 0; i < 6; ++i) {
        std::string const account = "cold" + std::to_string(i);
        throttle.admit(LoginKeys{.account = account});
        throttle.admit(hot);  // the most recent failure: never the one evicted
    }
    EXPECT_EQ(throttle.evictions(), 4U);
    EXPECT_EQ(throttle.check(hot), std::nullopt);
    for (int i = 0; i < 3; ++i) throttle.admit(hot);
    EXPECT_EQ(throttle.check(hot), seconds(1)) << "hot kept all 10 failures through the evictions";
}

TEST(LoginThrottleEviction, ExpiredEntriesArePrunedBeforeAnythingIsEvicted) {
    TestClock clock{kStart};
    LoginThrottleConfig config;
    SyncThrottle throttle{config, clock, store::AttemptCounterConfig{.max_entries = 2, .shards = 1}};
    throttle.admit(LoginKeys{.account = "a"});
    throttle.admit(LoginKeys{.account = "b"});
    clock.advance(12 * 3600);
    throttle.admit(LoginKeys{.account = "c"});
    EXPECT_EQ(throttle.evictions(), 0U);
    EXPECT_EQ(throttle.size(), 1U);
}

TEST(LoginThrottleEviction, ShardedBoundHolds) {
    TestClock clock{kStart};
    LoginThrottleConfig config;
    SyncThrottle throttle{config, clock, store::AttemptCounterConfig{.max_entries = 64, .shards = 8}};
    for (int i = 0; i < 1000; ++i) {
        std::string const account = "user" + std::to_string(i);
        std::string const address = "10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256);
        throttle.admit(LoginKeys{.account = account, .address = address});
    }
    // 2000 keys over 8 shards of 8: every shard fills, and holds no more.
    EXPECT_EQ(throttle.size(), 64U);
    EXPECT_EQ(throttle.evictions(), 2000U - 64U);
}

TEST(LoginThrottleConcurrency, ParallelAttemptsAreAdmittedExactlyUpToTheLock) {
    TestClock clock{kStart};
    LoginThrottleConfig config;
    config.account.free_failures = 400;
    SyncThrottle throttle{config, clock};
    std::atomic<int> admitted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 150; ++i) admitted += !throttle.admit(LoginKeys{.account = "shared"}).has_value();
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(admitted, 400) << "of 600 parallel attempts, the 400 free ones and no more";
    EXPECT_EQ(throttle.check(LoginKeys{.account = "shared"}), seconds(1));
}

TEST(LoginThrottleConfigTest, RefusesNonsense) {
    TestClock clock{kStart};
    LoginThrottleConfig config;
    config.account.free_failures = 0;
    store::InProcessAttemptCounter counter;
    EXPECT_THROW((LoginThrottle{config, counter, clock}), std::invalid_argument);
    config = LoginThrottleConfig{};
    config.address.max_lockout = 0;
    EXPECT_THROW((LoginThrottle{config, counter, clock}), std::invalid_argument);
    EXPECT_THROW((store::InProcessAttemptCounter{store::AttemptCounterConfig{.max_entries = 0}}),
                 std::invalid_argument);
}

}  // namespace
}  // namespace wx::auth
