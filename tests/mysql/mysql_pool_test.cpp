// The MariaDB backend's connection pool against the real server of the CTest fixture: an
// exhausted pool answers unavailable within its timeout, a connection killed on the server is
// replaced without failing a unit, and idle and old connections are replaced (on a test clock).
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/mysql_backend.hpp"
#include "store/user_store.hpp"
#include "support/mariadb_server.hpp"
#include "support/run_sync.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"

namespace wx::store {
namespace {

using namespace std::chrono_literals;
using test::run_sync;
using test::wait_until;

constexpr std::int64_t kNow = 1'800'000'000;

class MysqlPool : public ::testing::Test {
protected:
    void SetUp() override { test::init_test_process(); }

    // Opens the backend on this test's database with `pool`, on the test's steady clock.
    void open(MysqlPoolConfig pool) {
        backend_.reset();
        std::string why;
        auto opened =
            MysqlBackend::open(database_.config(), pool, blocking_, clock_, &why, [this] { return now_.load(); });
        ASSERT_TRUE(opened) << why;
        backend_ = std::move(*opened);
        ASSERT_TRUE(backend_->migrate());
    }
    void advance(std::chrono::milliseconds d) { now_ = now_.load() + d; }

    // A read unit that only asks the server for something.
    error_code touch() {
        auto body = [](Transaction& tx) { return tx.last_change_seq(); };
        auto r = run_sync(read<std::int64_t>(*backend_, body));
        return r ? error_code{} : r.error();
    }

    test::MariadbDatabase database_;
    TestClock clock_{kNow};
    BlockingPool blocking_{"mysql-pool-test", 4, 64};
    std::atomic<std::chrono::steady_clock::time_point> now_{std::chrono::steady_clock::time_point{} + 1h};
    std::unique_ptr<MysqlBackend> backend_;
};

MysqlPoolConfig small_pool(std::size_t size, std::chrono::milliseconds timeout = 3000ms) {
    MysqlPoolConfig c;
    c.max_size = size;
    c.connection_timeout = timeout;
    c.idle_timeout = 10s;
    c.max_lifetime = 60s;
    return c;
}

TEST_F(MysqlPool, AnExhaustedPoolAnswersUnavailableWithinItsTimeout) {
    open(small_pool(1, 300ms));
    std::promise<void> release;
    std::atomic<bool> holding{false};
    auto released = release.get_future().share();
    auto hold = [&holding, released](Transaction& tx) -> result<void> {
        holding = true;
        released.wait();  // keeps the pool's only connection in a transaction
        if (auto seq = tx.last_change_seq(); !seq) return seq.error();
        return {};
    };
    auto holder = std::async(std::launch::async, [&] { return run_sync(write<void>(*backend_, hold)); });
    ASSERT_TRUE(wait_until("the first unit holds the connection", [&] { return holding.load(); }));
    EXPECT_EQ(backend_->pool_stats()->in_use, 1u);

    auto starved = std::async(std::launch::async, [&] { return touch(); });
    ASSERT_EQ(starved.wait_for(test::kEventTimeout), std::future_status::ready) << "the wait is bounded";
    EXPECT_EQ(starved.get(), Errc::unavailable);

    release.set_value();
    auto held = holder.get();
    EXPECT_TRUE(held) << held.error().message();
    EXPECT_FALSE(touch()) << "the connection is back";
    auto stats = backend_->pool_stats().value();
    EXPECT_EQ(stats.in_use, 0u);
    EXPECT_EQ(stats.waiting, 0u);
    EXPECT_EQ(stats.opened, 1u);
}

TEST_F(MysqlPool, AConnectionKilledOnTheServerIsReplacedOnTheNextUnit) {
    open(small_pool(1));
    ASSERT_FALSE(touch());
    auto ids = database_.admin().connection_ids(database_.name());
    ASSERT_EQ(ids.size(), 1u) << "the pool's one connection";
    database_.admin().exec("KILL CONNECTION " + std::to_string(ids.front()));
    ASSERT_TRUE(
        wait_until("the server closed it", [&] { return database_.admin().connection_ids(database_.name()).empty(); }));

    EXPECT_FALSE(touch()) << "a read unit";
    UserStore accounts{*backend_};
    database_.admin().exec("KILL CONNECTION " +
                           std::to_string(database_.admin().connection_ids(database_.name()).at(0)));
    auto missing = run_sync(accounts.set_password_hash(42, "h", kNow));  // a write unit
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), Errc::not_found) << "ran on a fresh connection, not failed with the dead one";
    EXPECT_EQ(backend_->pool_stats()->opened, 3u);
}

TEST_F(MysqlPool, AConnectionIdlePastTheIdleTimeoutIsClosedAndReplaced) {
    open(small_pool(2));
    ASSERT_FALSE(touch());
    auto first = database_.admin().connection_ids(database_.name());
    ASSERT_EQ(first.size(), 1u);
    advance(11s);
    ASSERT_FALSE(touch());
    EXPECT_EQ(backend_->pool_stats()->opened, 2u);
    ASSERT_TRUE(wait_until("the idle connection was closed on the server", [&] {
        auto now = database_.admin().connection_ids(database_.name());
        return now.size() == 1 && now.front() != first.front();
    }));
}

TEST_F(MysqlPool, AConnectionPastItsLifetimeIsReplacedThoughNeverIdleLong) {
    open(small_pool(2));
    ASSERT_FALSE(touch());
    for (int i = 0; i < 6; ++i) {
        advance(9s);  // checked on borrow (idle > 1 s), kept: 54 s old
        ASSERT_FALSE(touch());
    }
    EXPECT_EQ(backend_->pool_stats()->opened, 1u);
    advance(9s);
    ASSERT_FALSE(touch());
    EXPECT_EQ(backend_->pool_stats()->opened, 2u);
    EXPECT_EQ(backend_->pool_stats()->closed, 1u);
}

}  // namespace
}  // namespace wx::store
