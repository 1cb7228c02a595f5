// The shared-state seams of store/ (DESIGN.md "Scale-out"): each has one typed suite that every
// implementation must pass — the in-process one and the Redis-backed one (a real redis-server per
// test; CTest labels those `redis` too).
// What each suite pins down is the behaviour the callers rely on, including the stated failure
// mode where an implementation can show it.
#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "store/in_process_access_token_store.hpp"
#include "store/in_process_attempt_counter.hpp"
#include "store/in_process_rate_counter.hpp"
#include "store/in_process_revocation_list.hpp"
#include "store/redis_access_token_store.hpp"
#include "store/redis_attempt_counter.hpp"
#include "store/redis_rate_counter.hpp"
#include "store/redis_revocation_list.hpp"
#include "support/redis_instance.hpp"
#include "support/run_sync.hpp"
#include "support/test_app.hpp"

namespace wx::store {
namespace {

using test::run_sync;

constexpr std::int64_t kNow = 1'800'000'000;

// --- RevocationList ---

struct InProcessRevocations {
    static constexpr char const* kName = "InProcess";
    explicit InProcessRevocations(Clock const& clock) : list(clock) {}
    RevocationList& get() { return list; }
    InProcessRevocationList list;
};

struct RedisRevocations {
    static constexpr char const* kName = "Redis";
    explicit RedisRevocations(Clock const& clock) : list(clock, redis.feed) {}
    RevocationList& get() { return list; }
    test::RedisServer server;
    test::RedisInstance redis{server};
    RedisRevocationList list;
};

template <class Impl>
class RevocationListContract : public ::testing::Test {
protected:
    void SetUp() override { test::init_test_process(); }
    TestClock clock_{kNow};
    Impl impl_{clock_};
    RevocationList& list_ = impl_.get();
};

struct Names {
    template <class T>
    static std::string GetName(int) {
        return T::kName;
    }
};

using RevocationLists = ::testing::Types<InProcessRevocations, RedisRevocations>;
TYPED_TEST_SUITE(RevocationListContract, RevocationLists, Names);

TYPED_TEST(RevocationListContract, AnnouncedSessionsAreRevokedAtOnce) {
    EXPECT_EQ(this->list_.check("s1"), RevocationList::Status::live);
    run_sync(this->list_.announce({RevokedSession{"s1", kNow + 600}, RevokedSession{"s2", kNow + 600}}));
    EXPECT_EQ(this->list_.check("s1"), RevocationList::Status::revoked);
    EXPECT_EQ(this->list_.check("s2"), RevocationList::Status::revoked);
    EXPECT_EQ(this->list_.check("s3"), RevocationList::Status::live);
    EXPECT_EQ(this->list_.size(), 2u);
}

TYPED_TEST(RevocationListContract, RestoredSessionsAreRevokedAndRepeatsCountOnce) {
    this->list_.restore({RevokedSession{"old", kNow + 60}});
    run_sync(this->list_.announce({RevokedSession{"old", kNow + 120}}));
    EXPECT_EQ(this->list_.check("old"), RevocationList::Status::revoked);
    EXPECT_EQ(this->list_.size(), 1u);
}

// --- AttemptCounter ---

struct InProcessAttempts {
    static constexpr char const* kName = "InProcess";
    AttemptCounter& get() { return counter; }
    InProcessAttemptCounter counter;
};

struct RedisAttempts {
    static constexpr char const* kName = "Redis";
    AttemptCounter& get() { return counter; }
    test::RedisServer server;
    test::RedisInstance redis{server};
    RedisAttemptCounter counter{redis.client};
};

template <class Impl>
class AttemptCounterContract : public ::testing::Test {
protected:
    std::int64_t locked(std::string const& key, std::int64_t now) {
        return run_sync(counter_.locked_for(key, policy_, now));
    }
    std::int64_t charge(std::string const& key, std::int64_t now) {
        return run_sync(counter_.charge(key, policy_, now));
    }
    void fail(std::string const& key, std::int64_t now, int times = 1) {
        for (int i = 0; i < times; ++i) ASSERT_EQ(charge(key, now), 0) << key << ": charge " << i;
    }

    LockoutPolicy const policy_{.free_failures = 3, .first_lockout = 2, .max_lockout = 16, .quiet_period = 100};
    Impl impl_;
    AttemptCounter& counter_ = impl_.get();
};

using AttemptCounters = ::testing::Types<InProcessAttempts, RedisAttempts>;
TYPED_TEST_SUITE(AttemptCounterContract, AttemptCounters, Names);

TYPED_TEST(AttemptCounterContract, FreeFailuresThenDoublingLockoutsUpToTheCap) {
    this->fail("k", kNow, 2);
    EXPECT_EQ(this->locked("k", kNow), 0);
    this->fail("k", kNow);
    EXPECT_EQ(this->locked("k", kNow), 2);
    EXPECT_EQ(this->locked("k", kNow + 1), 1);
    EXPECT_EQ(this->locked("k", kNow + 2), 0);
    this->fail("k", kNow + 2);
    EXPECT_EQ(this->locked("k", kNow + 2), 4);
    this->fail("k", kNow + 6);
    EXPECT_EQ(this->locked("k", kNow + 6), 8);
    this->fail("k", kNow + 14);
    EXPECT_EQ(this->locked("k", kNow + 14), 16);
    this->fail("k", kNow + 30);
    EXPECT_EQ(this->locked("k", kNow + 30), 16) << "capped at max_lockout";
    EXPECT_EQ(this->locked("other", kNow + 30), 0);
}

TYPED_TEST(AttemptCounterContract, AChargeWhileLockedIsRefusedAndCountsNothing) {
    this->fail("k", kNow, 3);
    EXPECT_EQ(this->charge("k", kNow), 2);
    EXPECT_EQ(this->charge("k", kNow + 1), 1);
    EXPECT_EQ(this->locked("k", kNow + 1), 1) << "the refused charges did not lengthen the lock";
    this->fail("k", kNow + 2);
    EXPECT_EQ(this->locked("k", kNow + 2), 4) << "the 4th failure, not the 6th";
}

// Charges sent at once from four threads: the check and the charge are one step, so exactly the
// free failures pass and every other charge is refused.
TYPED_TEST(AttemptCounterContract, ConcurrentChargesPassALockExactlyUpToTheFreeFailures) {
    LockoutPolicy const policy{.free_failures = 40, .first_lockout = 60, .max_lockout = 60, .quiet_period = 100};
    constexpr int kCharges = 200;
    std::atomic<int> passed{0};
    std::atomic<int> refused{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < kCharges / 4; ++i)
                ++(run_sync(this->counter_.charge("k", policy, kNow)) == 0 ? passed : refused);
        });
    }
    for (auto& t : threads) t.join();
    EXPECT_EQ(passed, 40);
    EXPECT_EQ(refused, kCharges - 40);
    EXPECT_EQ(run_sync(this->counter_.locked_for("k", policy, kNow)), 60);
}

TYPED_TEST(AttemptCounterContract, TakeBackLiftsALockTheAttemptCaused) {
    this->fail("k", kNow, 3);
    ASSERT_EQ(this->locked("k", kNow), 2);
    run_sync(this->counter_.take_back("k", this->policy_));
    EXPECT_EQ(this->locked("k", kNow), 0);
    this->fail("k", kNow);
    EXPECT_EQ(this->locked("k", kNow), 2) << "the other failures were kept";
}

TYPED_TEST(AttemptCounterContract, ClearAndQuietPeriodForget) {
    this->fail("k", kNow, 3);
    run_sync(this->counter_.clear("k"));
    EXPECT_EQ(this->locked("k", kNow), 0);
    this->fail("k", kNow, 2);
    this->fail("k", kNow);
    EXPECT_EQ(this->locked("k", kNow), 2) << "counting restarted after clear";
    this->fail("q", kNow, 3);
    EXPECT_EQ(this->locked("q", kNow + 100), 0);
    this->fail("q", kNow + 100, 2);
    EXPECT_EQ(this->locked("q", kNow + 100), 0) << "counting restarted after the quiet period";
}

// --- AccessTokenStore ---

struct InProcessTokens {
    static constexpr char const* kName = "InProcess";
    AccessTokenStore& get() { return store; }
    InProcessAccessTokenStore store;
};

struct RedisTokens {
    static constexpr char const* kName = "Redis";
    AccessTokenStore& get() { return store; }
    TestClock clock{kNow};
    test::RedisServer server;
    test::RedisInstance redis{server};
    RedisAccessTokenStore store{redis.client, clock};
};

template <class Impl>
class AccessTokenStoreContract : public ::testing::Test {
protected:
    Impl impl_;
    AccessTokenStore& store_ = impl_.get();
};

using AccessTokenStores = ::testing::Types<InProcessTokens, RedisTokens>;
TYPED_TEST_SUITE(AccessTokenStoreContract, AccessTokenStores, Names);

TYPED_TEST(AccessTokenStoreContract, SaveLoadAndCompareAndDelete) {
    EXPECT_FALSE(run_sync(this->store_.load("wxA")).has_value()) << "a miss";
    run_sync(this->store_.save("wxA", StoredAccessToken{"t1", kNow + 7200, kNow + 6900}));
    auto loaded = run_sync(this->store_.load("wxA"));
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(loaded->token, "t1");
    EXPECT_EQ(loaded->expires_at, kNow + 7200);
    EXPECT_EQ(loaded->refresh_at, kNow + 6900);
    EXPECT_FALSE(run_sync(this->store_.load("wxB")).has_value()) << "one token per app";

    EXPECT_FALSE(run_sync(this->store_.discard("wxA", "t0"))) << "a late report about a predecessor";
    EXPECT_TRUE(run_sync(this->store_.load("wxA")).has_value());
    EXPECT_TRUE(run_sync(this->store_.discard("wxA", "t1")));
    EXPECT_FALSE(run_sync(this->store_.load("wxA")).has_value());
    EXPECT_FALSE(run_sync(this->store_.discard("wxA", "t1")));
}

TYPED_TEST(AccessTokenStoreContract, OneFetchClaimAtATimeUntilReleasedOrLapsed) {
    EXPECT_TRUE(run_sync(this->store_.claim_fetch("wxA", kNow, 15)));
    EXPECT_FALSE(run_sync(this->store_.claim_fetch("wxA", kNow + 1, 15)));
    EXPECT_TRUE(run_sync(this->store_.claim_fetch("wxB", kNow + 1, 15))) << "claims are per app";
    run_sync(this->store_.release_fetch("wxA"));
    EXPECT_TRUE(run_sync(this->store_.claim_fetch("wxA", kNow + 2, 15)));
    EXPECT_FALSE(run_sync(this->store_.claim_fetch("wxA", kNow + 16, 15)));
    EXPECT_TRUE(run_sync(this->store_.claim_fetch("wxA", kNow + 17, 15))) << "a dead holder's claim lapses";
}

// --- RateCounter ---

struct InProcessRates {
    static constexpr char const* kName = "InProcess";
    RateCounter& get() { return counter; }
    InProcessRateCounter counter;
};

template <class Impl>
class RateCounterContract : public ::testing::Test {
protected:
    WindowCount hit(std::string const& key, std::int64_t now) { return run_sync(counter_.hit(key, 60, now)); }
    Impl impl_;
    RateCounter& counter_ = impl_.get();
};

struct RedisRates {
    static constexpr char const* kName = "Redis";
    RateCounter& get() { return counter; }
    test::RedisServer server;
    test::RedisInstance redis{server};
    RedisRateCounter counter{redis.client};
};

using RateCounters = ::testing::Types<InProcessRates, RedisRates>;
TYPED_TEST_SUITE(RateCounterContract, RateCounters, Names);

TYPED_TEST(RateCounterContract, CountsPerKeyWithinAFixedWindow) {
    std::int64_t const minute = kNow - kNow % 60;
    auto first = this->hit("a", minute + 10);
    EXPECT_EQ(first.count, 1);
    EXPECT_EQ(first.resets_in, 50);
    EXPECT_EQ(this->hit("a", minute + 20).count, 2);
    EXPECT_EQ(this->hit("b", minute + 20).count, 1) << "keys count apart";
    auto last = this->hit("a", minute + 59);
    EXPECT_EQ(last.count, 3);
    EXPECT_EQ(last.resets_in, 1);
    auto next = this->hit("a", minute + 60);
    EXPECT_EQ(next.count, 1) << "a new window starts from zero";
    EXPECT_EQ(next.resets_in, 60);
}

}  // namespace
}  // namespace wx::store
