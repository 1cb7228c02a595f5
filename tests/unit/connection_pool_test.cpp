// The connection pool's rules on a fake connection and an injected clock: reuse, the maximum size
// and the bounded wait, discarding, idle timeout, lifetime and validation on borrow.
#include "store/connection_pool.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace wx::store {
namespace {

using namespace std::chrono_literals;

struct FakeConn {
    int id = 0;
};

// A pool of FakeConns numbered in opening order, on a clock the test moves.
class PoolTest : public ::testing::Test {
protected:
    using Pool = ConnectionPool<FakeConn>;

    std::unique_ptr<Pool> make_pool(PoolLimits limits) {
        return std::make_unique<Pool>(
            [this](std::chrono::milliseconds) -> result<std::unique_ptr<FakeConn>> {
                if (refuse_opening_) return make_error_code(Errc::unavailable);
                return std::make_unique<FakeConn>(FakeConn{++opened_});
            },
            [this](FakeConn&) {
                ++validations_;
                return connections_work_.load();
            },
            limits, [this] { return now_.load(); });
    }
    void advance(std::chrono::milliseconds d) { now_ = now_.load() + d; }

    std::atomic<std::chrono::steady_clock::time_point> now_{std::chrono::steady_clock::time_point{} + 1h};
    std::atomic<int> opened_{0};
    std::atomic<int> validations_{0};
    std::atomic<bool> connections_work_{true};
    std::atomic<bool> refuse_opening_{false};
};

PoolLimits limits(std::size_t max_size, std::chrono::milliseconds timeout = 0ms) {
    PoolLimits l;
    l.max_size = max_size;
    l.connection_timeout = timeout;
    l.idle_timeout = 10s;
    l.max_lifetime = 60s;
    l.validate_after_idle = 1s;
    return l;
}

TEST_F(PoolTest, AGivenBackConnectionIsReusedUnchecked) {
    auto pool = make_pool(limits(2));
    int first = 0;
    {
        auto lease = pool->acquire();
        ASSERT_TRUE(lease);
        first = (**lease).id;
    }
    auto again = pool->acquire();
    ASSERT_TRUE(again);
    EXPECT_EQ((**again).id, first);
    EXPECT_EQ(opened_, 1);
    EXPECT_EQ(validations_, 0) << "used a moment ago: no round trip to check it";
}

TEST_F(PoolTest, AFullPoolAnswersUnavailableOnceTheWaitIsOver) {
    auto pool = make_pool(limits(2));
    auto a = pool->acquire();
    auto b = pool->acquire();
    ASSERT_TRUE(a);
    ASSERT_TRUE(b);
    auto c = pool->acquire();
    ASSERT_FALSE(c);
    EXPECT_EQ(c.error(), Errc::unavailable);
    EXPECT_EQ(opened_, 2);
    auto stats = pool->stats();
    EXPECT_EQ(stats.in_use, 2u);
    EXPECT_EQ(stats.waiting, 0u);
}

TEST_F(PoolTest, AWaiterGetsTheConnectionGivenBack) {
    auto pool = make_pool(limits(1, 60s));
    auto held = std::make_optional(pool->acquire());
    ASSERT_TRUE(*held);
    auto waiter = std::async(std::launch::async, [&] {
        auto lease = pool->acquire();
        return lease ? (**lease).id : -1;
    });
    while (pool->stats().waiting == 0) std::this_thread::yield();  // the waiter is queued
    held.reset();
    EXPECT_EQ(waiter.get(), 1);
    EXPECT_EQ(opened_, 1);
    EXPECT_EQ(pool->stats().waiting, 0u);
}

TEST_F(PoolTest, ADiscardedConnectionFreesItsSlot) {
    auto pool = make_pool(limits(1));
    {
        auto lease = pool->acquire();
        ASSERT_TRUE(lease);
        lease->discard();
    }
    auto next = pool->acquire();
    ASSERT_TRUE(next);
    EXPECT_EQ((**next).id, 2);
    EXPECT_EQ(pool->stats().closed, 1u);
}

TEST_F(PoolTest, AFailedOpenFreesItsSlot) {
    auto pool = make_pool(limits(1));
    refuse_opening_ = true;
    auto refused = pool->acquire();
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), Errc::unavailable);
    refuse_opening_ = false;
    auto opened = pool->acquire();
    ASSERT_TRUE(opened);
    EXPECT_EQ(pool->stats().in_use, 1u);
}

TEST_F(PoolTest, AConnectionIdleLongerThanTheIdleTimeoutIsReplaced) {
    auto pool = make_pool(limits(2));
    { ASSERT_TRUE(pool->acquire()); }
    advance(11s);
    auto next = pool->acquire();
    ASSERT_TRUE(next);
    EXPECT_EQ((**next).id, 2);
    EXPECT_EQ(pool->stats().closed, 1u);
}

TEST_F(PoolTest, AConnectionPastItsLifetimeIsReplacedEvenIfKeptBusy) {
    auto pool = make_pool(limits(2));
    { ASSERT_TRUE(pool->acquire()); }
    for (int i = 0; i < 6; ++i) {  // 54 s of use, never idle past the idle timeout
        advance(9s);
        auto lease = pool->acquire();
        ASSERT_TRUE(lease);
        EXPECT_EQ((**lease).id, 1);
    }
    advance(9s);  // 63 s old
    auto next = pool->acquire();
    ASSERT_TRUE(next);
    EXPECT_EQ((**next).id, 2);
}

TEST_F(PoolTest, AConnectionIdleForASecondIsCheckedAndReplacedWhenDead) {
    auto pool = make_pool(limits(2));
    { ASSERT_TRUE(pool->acquire()); }
    advance(2s);
    {
        auto checked = pool->acquire();
        ASSERT_TRUE(checked);
        EXPECT_EQ((**checked).id, 1);
        EXPECT_EQ(validations_, 1);
    }
    advance(2s);
    connections_work_ = false;  // the server restarted meanwhile
    auto replaced = pool->acquire();
    ASSERT_TRUE(replaced);
    EXPECT_EQ((**replaced).id, 2) << "the dead one was closed, a new one opened";
    EXPECT_EQ(pool->stats().closed, 1u);
}

TEST_F(PoolTest, SuspectIdleConnectionsAreCheckedBeforeTheirNextUse) {
    auto pool = make_pool(limits(2));
    { ASSERT_TRUE(pool->acquire()); }
    pool->suspect_idle();
    connections_work_ = false;
    auto next = pool->acquire();
    ASSERT_TRUE(next);
    EXPECT_EQ((**next).id, 2);
    EXPECT_EQ(validations_, 1);
}

}  // namespace
}  // namespace wx::store
