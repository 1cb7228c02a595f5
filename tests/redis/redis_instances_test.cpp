// Two instances (two sets of seam objects, each with its own client and feed) on one real Redis:
// revocations and user changes reach the other within a measured bound, counters limit together,
// and two access-token caches make one stable_token fetch.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/io_pool.hpp"
#include "store/redis_access_token_store.hpp"
#include "store/redis_attempt_counter.hpp"
#include "store/redis_revocation_list.hpp"
#include "store/redis_user_cache.hpp"
#include "support/redis_instance.hpp"
#include "support/run_sync.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"
#include "user_database.hpp"
#include "wechat/access_token_cache.hpp"

namespace wx::store {
namespace {

using test::run_sync;
using test::wait_until;
using Status = RevocationList::Status;
using Steady = std::chrono::steady_clock;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr int kRounds = 200;
constexpr auto kBound = std::chrono::seconds{1};  // API.md: refused everywhere within 1 s

struct Figures {
    std::chrono::microseconds median{0};
    std::chrono::microseconds max{0};
};

Figures figures_of(std::vector<std::chrono::microseconds> samples) {
    std::sort(samples.begin(), samples.end());
    return Figures{samples[samples.size() / 2], samples.back()};
}

void report(std::string_view what, Figures const& f, int rounds) {
    std::cout << "[ figures  ] " << what << " over " << rounds << ": median " << f.median.count() << " us, max "
              << f.max.count() << " us\n";
    ::testing::Test::RecordProperty(std::string{what} + "_median_us", static_cast<int>(f.median.count()));
    ::testing::Test::RecordProperty(std::string{what} + "_max_us", static_cast<int>(f.max.count()));
}

class RedisInstances : public ::testing::Test {
protected:
    void SetUp() override { test::init_test_process(); }
    ::testing::AssertionResult subscribed() {
        return wait_until("both feeds subscribed", [&] { return a_.feed.connected() && b_.feed.connected(); });
    }

    TestClock clock_{kNow};
    test::RedisServer server_;
    test::RedisInstance a_{server_};
    test::RedisInstance b_{server_};
};

// `announce` on A until `check` on B answers revoked, polled without sleeping.
TEST_F(RedisInstances, RevocationsOnAAreRefusedOnBWithinMilliseconds) {
    RedisRevocationList on_a{clock_, a_.feed};
    RedisRevocationList on_b{clock_, b_.feed};
    ASSERT_TRUE(subscribed());
    std::vector<std::chrono::microseconds> samples;
    samples.reserve(kRounds);
    for (int i = 0; i < kRounds; ++i) {
        std::string const sid = "session-" + std::to_string(i);
        ASSERT_EQ(on_b.check(sid), Status::live);
        auto const started = Steady::now();
        run_sync(on_a.announce({RevokedSession{sid, kNow + 600}}));
        ASSERT_EQ(on_a.check(sid), Status::revoked);
        while (on_b.check(sid) != Status::revoked && Steady::now() - started < kBound) std::this_thread::yield();
        auto const took = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - started);
        ASSERT_EQ(on_b.check(sid), Status::revoked) << "round " << i << ": not refused on B within 1 s";
        samples.push_back(took);
    }
    ASSERT_EQ(samples.size(), static_cast<std::size_t>(kRounds));
    auto const f = figures_of(samples);
    report("revocation_a_to_b", f, kRounds);
    EXPECT_LT(f.max, kBound);
    EXPECT_EQ(on_b.size(), static_cast<std::size_t>(kRounds));
    EXPECT_EQ(b_.feed.received(), static_cast<std::uint64_t>(kRounds));
}

TEST_F(RedisInstances, AFamilyRevokedOnAIsRefusedOnBAsOne) {
    RedisRevocationList on_a{clock_, a_.feed};
    RedisRevocationList on_b{clock_, b_.feed};
    ASSERT_TRUE(subscribed());
    std::vector<RevokedSession> family;
    for (int i = 0; i < 50; ++i) family.push_back(RevokedSession{"fam-" + std::to_string(i), kNow + 60 + i});
    run_sync(on_a.announce(family));
    ASSERT_TRUE(wait_until("B has the family", [&] { return on_b.size() == family.size(); }));
    for (auto const& s : family) EXPECT_EQ(on_b.check(s.id), Status::revoked) << s.id;
    EXPECT_EQ(b_.feed.received(), 1u) << "one message for the batch";
}

// `put` on A (a profile change) until B's next get answers the new record, polled without sleeping.
TEST_F(RedisInstances, AUserChangedOnAIsDroppedOnBWithinMilliseconds) {
    test::UserDatabase db{clock_};
    RedisUserCacheConfig const config{300, 30, 1000};
    RedisUserCache on_a{db.users(), &test::render_user, clock_, config, a_.client, a_.feed};
    RedisUserCache on_b{db.users(), &test::render_user, clock_, config, b_.client, b_.feed};
    ASSERT_TRUE(subscribed());
    auto const id = db.new_user(kNow);
    auto user = db.find(id);
    constexpr int kChanges = 100;
    std::vector<std::chrono::microseconds> samples;
    for (int i = 0; i < kChanges; ++i) {
        auto cached = run_sync(on_b.get(id));
        ASSERT_TRUE(cached);
        ASSERT_EQ(on_b.local_size(), 1u);
        user.nickname = std::to_string(i);  // (assigning a literal here trips a g++ 12 -Wrestrict false positive)
        auto const started = Steady::now();
        (void)run_sync(on_a.put(user));
        while (on_b.local_size() != 0 && Steady::now() - started < kBound) std::this_thread::yield();
        auto const took = std::chrono::duration_cast<std::chrono::microseconds>(Steady::now() - started);
        ASSERT_EQ(on_b.local_size(), 0u) << "change " << i << ": B kept its copy past 1 s";
        samples.push_back(took);
        auto fresh = run_sync(on_b.get(id));
        ASSERT_TRUE(fresh);
        EXPECT_EQ((*fresh)->user.nickname, user.nickname) << "B reads A's fresh copy from L2";
    }
    ASSERT_EQ(samples.size(), static_cast<std::size_t>(kChanges));
    auto const f = figures_of(samples);
    report("user_change_a_to_b", f, kChanges);
    EXPECT_LT(f.max, kBound);
}

// A change made elsewhere (an operator, an instance that could not reach Redis) reaches every
// cache through invalidate() — what the change-log poller calls — which drops L2 as well.
TEST_F(RedisInstances, InvalidateDropsTheSharedCopyTooSoNoInstanceServesItStale) {
    test::UserDatabase db{clock_};
    RedisUserCacheConfig const config{300, 30, 1000};
    RedisUserCache on_a{db.users(), &test::render_user, clock_, config, a_.client, a_.feed};
    RedisUserCache on_b{db.users(), &test::render_user, clock_, config, b_.client, b_.feed};
    auto const id = db.new_user(kNow);
    ASSERT_TRUE(run_sync(on_a.get(id)));  // fills L1 of A and L2
    db.set_nickname(id, "disabled-elsewhere");
    auto b_first = run_sync(on_b.get(id));
    ASSERT_TRUE(b_first);
    EXPECT_EQ((*b_first)->user.nickname, "") << "B was served A's copy from L2";
    run_sync(on_b.invalidate(id));
    auto b_after = run_sync(on_b.get(id));
    ASSERT_TRUE(b_after);
    EXPECT_EQ((*b_after)->user.nickname, "disabled-elsewhere");
    run_sync(on_a.invalidate(id));
    auto a_after = run_sync(on_a.get(id));
    ASSERT_TRUE(a_after);
    EXPECT_EQ((*a_after)->user.nickname, "disabled-elsewhere");
}

// A load on A that read the database before B's change must not write its copy into L2 after B's
// put: the fill compares the generation it saw before the load. The database's only read thread
// is held up so that B's put lands in the middle of A's load.
TEST_F(RedisInstances, ALoadThatStartedBeforeAChangeDoesNotOverwriteIt) {
    test::UserDatabase db{clock_, 1};
    RedisUserCacheConfig const config{300, 30, 1000};
    RedisUserCache on_a{db.users(), &test::render_user, clock_, config, a_.client, a_.feed};
    RedisUserCache on_b{db.users(), &test::render_user, clock_, config, b_.client, b_.feed};
    ASSERT_TRUE(subscribed());
    auto const id = db.new_user(kNow);
    auto user = db.find(id);

    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    auto hold = [released] {
        released.wait();
        return 0;
    };
    IoPool io{1};
    io.start();
    auto held = db.pool().run(hold);
    asio::co_spawn(io.next(), std::move(held), asio::detached);
    ASSERT_TRUE(wait_until("the read thread is held", [&] { return db.pool().in_flight() == 1; }));
    std::atomic<bool> loaded{false};
    auto load = on_a.get(id);
    asio::co_spawn(io.next(), std::move(load), [&loaded](std::exception_ptr, result<CachedUserPtr>) { loaded = true; });
    ASSERT_TRUE(wait_until("A's load waits for the database", [&] { return db.pool().in_flight() == 2; }));

    user.nickname = "changed-on-b";
    (void)run_sync(on_b.put(user));
    ASSERT_TRUE(wait_until("A heard of B's change", [&] { return a_.feed.received() == 1; }));
    release.set_value();
    ASSERT_TRUE(wait_until("A's load finished", [&] { return loaded.load(); }));
    io.stop();

    auto const stored = server_.command({"GET", "wxlogin:user:" + std::to_string(id)});
    ASSERT_TRUE(stored.is_string());
    auto decoded = decode_cached_user(stored.str);
    ASSERT_TRUE(decoded && decoded->user);
    EXPECT_EQ(decoded->user->nickname, "changed-on-b") << "A's older copy did not replace B's";
    auto again = run_sync(on_a.get(id));
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)->user.nickname, "changed-on-b") << "nor was it kept in A's L1";
}

TEST_F(RedisInstances, AttemptCountersOnOneRedisLimitTogether) {
    RedisAttemptCounter on_a{a_.client};
    RedisAttemptCounter on_b{b_.client};
    LockoutPolicy const policy{.free_failures = 3, .first_lockout = 2, .max_lockout = 16, .quiet_period = 100};
    ASSERT_EQ(run_sync(on_a.charge("acct:ann", policy, kNow)), 0);
    ASSERT_EQ(run_sync(on_b.charge("acct:ann", policy, kNow)), 0);
    EXPECT_EQ(run_sync(on_a.locked_for("acct:ann", policy, kNow)), 0);
    ASSERT_EQ(run_sync(on_a.charge("acct:ann", policy, kNow)), 0);
    EXPECT_EQ(run_sync(on_b.locked_for("acct:ann", policy, kNow)), 2) << "the third failure, wherever it came";
    EXPECT_EQ(run_sync(on_b.charge("acct:ann", policy, kNow)), 2) << "and B refuses the next charge";
    EXPECT_EQ(run_sync(on_a.locked_for("acct:ann", policy, kNow)), 2);
    run_sync(on_b.clear("acct:ann"));
    EXPECT_EQ(run_sync(on_a.locked_for("acct:ann", policy, kNow)), 0);
    EXPECT_EQ(on_a.fallback().size() + on_b.fallback().size(), 0u);
}

// Concurrent charges from both instances on four threads: each counted once (the script makes
// check-and-charge one step), and exactly the free failures pass the lock between them.
TEST_F(RedisInstances, ConcurrentChargesFromBothInstancesPassTheLockExactlyOnce) {
    RedisAttemptCounter on_a{a_.client};
    RedisAttemptCounter on_b{b_.client};
    LockoutPolicy const policy{.free_failures = 150, .first_lockout = 60, .max_lockout = 60, .quiet_period = 100};
    constexpr int kEach = 100;
    IoPool io{4};
    io.start();
    std::atomic<int> done{0};
    std::atomic<int> passed{0};
    auto charge_on = [&](RedisAttemptCounter& counter) -> Task<void> {
        std::int64_t const locked = co_await counter.charge("ip:1.2.3.4", policy, kNow);
        passed += locked == 0;
        ++done;
    };
    for (int i = 0; i < kEach; ++i) {
        asio::co_spawn(io.next(), charge_on(on_a), asio::detached);
        asio::co_spawn(io.next(), charge_on(on_b), asio::detached);
    }
    ASSERT_TRUE(wait_until("every charge answered", [&] { return done == 2 * kEach; }));
    io.stop();
    EXPECT_EQ(passed, 150) << "of 200 charges from two instances";
    EXPECT_EQ(server_.command({"HGET", "wxlogin:attempts:ip:1.2.3.4", "n"}).str, "150");
    EXPECT_EQ(on_a.fallback().size() + on_b.fallback().size(), 0u);
}

// --- the WeChat access token: one fetch for the fleet ---

using Gate = asio::experimental::concurrent_channel<void(error_code)>;

// stable_token answers TOKEN-1, TOKEN-2, ... and can be held on a gate.
class FakeWeChat final : public wechat::WeChatApi {
public:
    Task<result<wechat::Session>> code_to_session(wechat::AppCredentials const&, std::string) override {
        co_return wechat::Errc::bad_response;
    }
    Task<result<wechat::AccessToken>> stable_token(wechat::AppCredentials const& app, bool) override {
        int const n = ++stable_calls;
        if (gate) {
            auto [ec] = co_await gate->async_receive(use_result);
            if (ec) co_return ec;
        }
        co_return wechat::AccessToken{app.app_id + "-token-" + std::to_string(n), 7200};
    }
    Task<result<wechat::PhoneInfo>> phone_number(std::string, std::string) override {
        co_return wechat::Errc::bad_response;
    }

    std::atomic<int> stable_calls{0};
    std::shared_ptr<Gate> gate;
};

class Outcomes {
public:
    auto handler() {
        return [this](std::exception_ptr e, result<std::string> r) {
            std::lock_guard lock{mutex_};
            if (!e) results_.push_back(std::move(r));
            ++finished_;
            done_.notify_all();
        };
    }
    bool wait_for(int n) {
        std::unique_lock lock{mutex_};
        return done_.wait_for(lock, std::chrono::seconds{20}, [&] { return finished_ >= n; });
    }
    std::vector<result<std::string>> results() {
        std::lock_guard lock{mutex_};
        return results_;
    }

private:
    std::mutex mutex_;
    std::condition_variable done_;
    std::vector<result<std::string>> results_;
    int finished_ = 0;
};

wechat::AppCredentials const kApp{"wxA", "secA"};

TEST_F(RedisInstances, TwoAccessTokenCachesMakeOneStableTokenFetch) {
    FakeWeChat api;
    RedisAccessTokenStore store_a{a_.client, clock_};
    RedisAccessTokenStore store_b{b_.client, clock_};
    wechat::AccessTokenCacheOptions const options{.claim_hold_seconds = 15, .claim_poll = std::chrono::milliseconds{2}};
    wechat::AccessTokenCache cache_a{api, store_a, clock_, options};
    wechat::AccessTokenCache cache_b{api, store_b, clock_, options};

    IoPool io{2};
    api.gate = std::make_shared<Gate>(io.first().get_executor(), 1);
    io.start();
    Outcomes outcomes;
    auto first = cache_a.get(kApp);
    asio::co_spawn(io.next(), std::move(first), outcomes.handler());
    ASSERT_TRUE(wait_until("A is fetching", [&] { return api.stable_calls == 1; }));
    ASSERT_TRUE(wait_until("A holds the claim in Redis", [&] {
        return server_.command({"EXISTS", "wxlogin:wechat-claim:wxA"}).integer == 1;
    }));
    auto second = cache_b.get(kApp);
    asio::co_spawn(io.next(), std::move(second), outcomes.handler());
    ASSERT_TRUE(api.gate->try_send(error_code{}));
    ASSERT_TRUE(outcomes.wait_for(2));
    io.stop();
    api.gate.reset();

    auto results = outcomes.results();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].value(), "wxA-token-1");
    EXPECT_EQ(results[1].value(), "wxA-token-1");
    EXPECT_EQ(api.stable_calls, 1) << "one fetch for both instances";
    EXPECT_EQ(server_.command({"EXISTS", "wxlogin:wechat-claim:wxA"}).integer, 0) << "the claim was released";

    run_sync(cache_b.invalidate("wxA", "wxA-token-0"));  // a late report about a predecessor
    EXPECT_EQ(run_sync(cache_a.get(kApp)).value(), "wxA-token-1");
    run_sync(cache_b.invalidate("wxA", "wxA-token-1"));
    EXPECT_EQ(run_sync(cache_a.get(kApp)).value(), "wxA-token-2") << "B's invalidation reached A";
    EXPECT_EQ(run_sync(cache_b.get(kApp)).value(), "wxA-token-2");
    EXPECT_EQ(api.stable_calls, 2);
}

TEST_F(RedisInstances, WithRedisDownEachInstanceFetchesItself) {
    FakeWeChat api;
    RedisAccessTokenStore store_a{a_.client, clock_};
    RedisAccessTokenStore store_b{b_.client, clock_};
    wechat::AccessTokenCache cache_a{api, store_a, clock_, wechat::AccessTokenCacheOptions{}};
    wechat::AccessTokenCache cache_b{api, store_b, clock_, wechat::AccessTokenCacheOptions{}};
    server_.stop();
    EXPECT_EQ(run_sync(cache_a.get(kApp)).value(), "wxA-token-1");
    EXPECT_EQ(run_sync(cache_b.get(kApp)).value(), "wxA-token-2") << "a miss falls through; the claim is granted";
    EXPECT_EQ(api.stable_calls, 2);
}

}  // namespace
}  // namespace wx::store
