// The access token cache against a scripted WeChatApi: caching and early refresh on a test clock,
// single flight across two I/O threads, compare-and-clear invalidation, and the one retry.
#include "wechat/access_token_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/clock.hpp"
#include "core/io_pool.hpp"
#include "store/in_process_access_token_store.hpp"
#include "support/run_sync.hpp"

namespace wx::wechat {
namespace {

using test::run_sync;
using Gate = asio::experimental::concurrent_channel<void(error_code)>;

constexpr std::int64_t kStart = 1'700'000'000;
AppCredentials const kAppA{"wxA", "secA"};
AppCredentials const kAppB{"wxB", "secB"};

// Answers stable_token with token-1, token-2, ... (7200 s) unless scripted otherwise; can hold a
// fetch open on a gate until the test releases it.
class FakeWeChat final : public WeChatApi {
public:
    Task<result<Session>> code_to_session(AppCredentials const&, std::string) override { co_return Errc::bad_response; }

    Task<result<AccessToken>> stable_token(AppCredentials const& app, bool force_refresh) override {
        int const n = ++stable_calls;
        force_refreshes += force_refresh ? 1 : 0;
        if (gate) {
            auto [ec] = co_await gate->async_receive(use_result);
            if (ec) co_return ec;
        }
        std::optional<result<AccessToken>> scripted;
        {
            std::lock_guard lock{mutex};
            if (throw_next) {
                throw_next = false;
                throw std::runtime_error("fetch blew up");
            }
            if (!stable_script.empty()) {
                scripted = std::move(stable_script.front());
                stable_script.pop_front();
            }
        }
        if (scripted) co_return std::move(*scripted);
        co_return AccessToken{app.app_id + "-token-" + std::to_string(n), expires_in};
    }

    Task<result<PhoneInfo>> phone_number(std::string access_token, std::string phone_code) override {
        std::function<result<PhoneInfo>(std::string const&)> answer;
        {
            std::lock_guard lock{mutex};
            phone_tokens.push_back(access_token);
            answer = phone_answer;
        }
        if (answer) co_return answer(access_token);
        co_return PhoneInfo{phone_code, phone_code, "86"};
    }

    [[nodiscard]] std::vector<std::string> tokens_used() const {
        std::lock_guard lock{mutex};
        return phone_tokens;
    }

    std::atomic<int> stable_calls{0};
    std::atomic<int> force_refreshes{0};
    std::int64_t expires_in = 7200;
    std::shared_ptr<Gate> gate;  // set before any call; released with try_send
    mutable std::mutex mutex;
    std::deque<result<AccessToken>> stable_script;
    bool throw_next = false;
    std::function<result<PhoneInfo>(std::string const&)> phone_answer;
    std::vector<std::string> phone_tokens;
};

// Collects the results of coroutines spawned onto I/O threads.
class Outcomes {
public:
    auto handler() {
        return [this](std::exception_ptr e, result<std::string> r) {
            std::lock_guard lock{mutex_};
            if (e)
                exceptions_++;
            else
                results_.push_back(std::move(r));
            done_.notify_all();
        };
    }
    // False when fewer than n arrived within the deadline.
    bool wait_for(std::size_t n) {
        std::unique_lock lock{mutex_};
        return done_.wait_for(lock, std::chrono::seconds{20},
                              [&] { return results_.size() + static_cast<std::size_t>(exceptions_) >= n; });
    }
    std::vector<result<std::string>> results() {
        std::lock_guard lock{mutex_};
        return results_;
    }
    int exceptions() {
        std::lock_guard lock{mutex_};
        return exceptions_;
    }

private:
    std::mutex mutex_;
    std::condition_variable done_;
    std::vector<result<std::string>> results_;
    int exceptions_ = 0;
};

// Spins (without sleeping) until `pred` holds or 20 s pass.
template <class Pred>
bool eventually(Pred pred) {
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds{20};
    while (!pred()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::yield();
    }
    return true;
}

class AccessTokenCacheTest : public ::testing::Test {
protected:
    TestClock clock_{kStart};
    FakeWeChat api_;
    store::InProcessAccessTokenStore store_;
    AccessTokenCache cache_{api_, store_, clock_, AccessTokenCacheOptions{}};

    result<std::string> get(AppCredentials const& app = kAppA) { return run_sync(cache_.get(app)); }
    static result<std::string> get_from(AccessTokenCache& cache) { return run_sync(cache.get(kAppA)); }
    result<PhoneInfo> phone(std::string code = "13800000000") {
        return run_sync(fetch_phone_number(api_, cache_, kAppA, std::move(code)));
    }

    // 20 gets spread over two I/O threads while the fetch is held open; returns their results
    // once it is released.
    std::vector<result<std::string>> twenty_concurrent_gets() {
        IoPool pool{2};
        api_.gate = std::make_shared<Gate>(pool.first().get_executor(), 1);
        pool.start();
        Outcomes outcomes;
        for (int i = 0; i < 20; ++i) {
            auto task = cache_.get(kAppA);
            asio::co_spawn(pool.next(), std::move(task), outcomes.handler());
        }
        EXPECT_TRUE(eventually([&] { return api_.stable_calls == 1 && cache_.waiting("wxA") == 19; }))
            << "stable_token calls: " << api_.stable_calls << ", waiting: " << cache_.waiting("wxA");
        EXPECT_TRUE(api_.gate->try_send(error_code{}));
        EXPECT_TRUE(outcomes.wait_for(20));
        pool.stop();
        api_.gate.reset();
        EXPECT_EQ(outcomes.exceptions(), 0);
        return outcomes.results();
    }
};

TEST_F(AccessTokenCacheTest, FetchesOnceThenServesFromCache) {
    EXPECT_EQ(get().value(), "wxA-token-1");
    EXPECT_EQ(get().value(), "wxA-token-1");
    clock_.advance(3600);
    EXPECT_EQ(get().value(), "wxA-token-1");
    EXPECT_EQ(api_.stable_calls, 1);
    EXPECT_EQ(api_.force_refreshes, 0);  // normal mode: force_refresh would kill tokens others hold
}

TEST_F(AccessTokenCacheTest, OneEntryPerApp) {
    EXPECT_EQ(get(kAppA).value(), "wxA-token-1");
    EXPECT_EQ(get(kAppB).value(), "wxB-token-2");
    EXPECT_EQ(get(kAppA).value(), "wxA-token-1");
    EXPECT_EQ(api_.stable_calls, 2);
}

TEST_F(AccessTokenCacheTest, RefreshMarginIsATenthCappedAtFiveMinutes) {
    EXPECT_EQ(AccessTokenCache::refresh_margin(7200), 300);
    EXPECT_EQ(AccessTokenCache::refresh_margin(3000), 300);
    EXPECT_EQ(AccessTokenCache::refresh_margin(1000), 100);
    EXPECT_EQ(AccessTokenCache::refresh_margin(345), 34);
    EXPECT_EQ(AccessTokenCache::refresh_margin(5), 0);
    EXPECT_EQ(AccessTokenCache::refresh_margin(-1), 0);
}

TEST_F(AccessTokenCacheTest, RefreshesEarly) {
    EXPECT_EQ(get().value(), "wxA-token-1");
    clock_.advance(7200 - 300 - 1);  // 301 s left
    EXPECT_EQ(get().value(), "wxA-token-1");
    clock_.advance(1);  // 300 s left: refresh
    EXPECT_EQ(get().value(), "wxA-token-2");
    EXPECT_EQ(api_.stable_calls, 2);
    clock_.advance(7200 - 301);
    EXPECT_EQ(get().value(), "wxA-token-2");
    EXPECT_EQ(api_.stable_calls, 2);
}

TEST_F(AccessTokenCacheTest, ATokenHandedOutLateIsUsedForNinetyPercentOfItsRest) {
    api_.expires_in = 100;
    EXPECT_EQ(get().value(), "wxA-token-1");
    clock_.advance(89);
    EXPECT_EQ(get().value(), "wxA-token-1");
    clock_.advance(1);
    EXPECT_EQ(get().value(), "wxA-token-2");
}

TEST_F(AccessTokenCacheTest, TwentyConcurrentGetsOnTwoThreadsCauseOneFetch) {
    auto results = twenty_concurrent_gets();
    ASSERT_EQ(results.size(), 20u);
    for (auto const& r : results) EXPECT_EQ(r.value(), "wxA-token-1");
    EXPECT_EQ(api_.stable_calls, 1);
    EXPECT_EQ(cache_.waiting("wxA"), 0u);
    EXPECT_EQ(get().value(), "wxA-token-1");
    EXPECT_EQ(api_.stable_calls, 1);
}

// Two instances sharing one store: the second finds the first's claim and waits for its token
// instead of asking WeChat again (which would invalidate the token the first one got).
TEST_F(AccessTokenCacheTest, TwoInstancesSharingAStoreFetchOnce) {
    AccessTokenCache other{api_, store_, clock_, AccessTokenCacheOptions{.claim_poll = std::chrono::milliseconds{1}}};
    IoPool pool{2};
    api_.gate = std::make_shared<Gate>(pool.first().get_executor(), 1);
    pool.start();
    Outcomes outcomes;
    auto first = cache_.get(kAppA);
    asio::co_spawn(pool.next(), std::move(first), outcomes.handler());
    ASSERT_TRUE(eventually([&] { return api_.stable_calls == 1; }));
    auto second = other.get(kAppA);
    asio::co_spawn(pool.next(), std::move(second), outcomes.handler());
    ASSERT_TRUE(api_.gate->try_send(error_code{}));
    ASSERT_TRUE(outcomes.wait_for(2));
    pool.stop();
    api_.gate.reset();
    auto results = outcomes.results();
    ASSERT_EQ(results.size(), 2u);
    EXPECT_EQ(results[0].value(), "wxA-token-1");
    EXPECT_EQ(results[1].value(), "wxA-token-1");
    EXPECT_EQ(api_.stable_calls, 1);
}

// The store as seen by an instance that looked just before another instance fetched, saved and
// released its claim: its first load answers what was there then (nothing), once the other's
// whole fetch has run.
class LookedJustBefore final : public store::AccessTokenStore {
public:
    LookedJustBefore(store::AccessTokenStore& real, AccessTokenCache& other) : real_(real), other_(other) {}
    Task<std::optional<store::StoredAccessToken>> load(std::string app_id) override {
        if (first_) {
            first_ = false;
            (void)co_await other_.get(kAppA);
            co_return std::nullopt;
        }
        co_return co_await real_.load(std::move(app_id));
    }
    Task<void> save(std::string app_id, store::StoredAccessToken token) override {
        co_await real_.save(std::move(app_id), std::move(token));
    }
    Task<bool> discard(std::string app_id, std::string token) override {
        co_return co_await real_.discard(std::move(app_id), std::move(token));
    }
    Task<bool> claim_fetch(std::string app_id, std::int64_t now, std::int64_t hold_seconds) override {
        co_return co_await real_.claim_fetch(std::move(app_id), now, hold_seconds);
    }
    Task<void> release_fetch(std::string app_id) override { co_await real_.release_fetch(std::move(app_id)); }

private:
    store::AccessTokenStore& real_;
    AccessTokenCache& other_;
    bool first_ = true;
};

// Found by two `wxlogin serve` processes (tests/fleet): B looked, A fetched, saved and released,
// then B claimed — and fetched a second token. Under the claim the store is looked at again.
TEST_F(AccessTokenCacheTest, AnInstanceThatLookedJustBeforeAnotherFetchedDoesNotFetchAgain) {
    LookedJustBefore late_view{store_, cache_};
    AccessTokenCache late{api_, late_view, clock_, AccessTokenCacheOptions{}};
    EXPECT_EQ(get_from(late), "wxA-token-1");
    EXPECT_EQ(api_.stable_calls, 1) << "the other instance's token, not a second fetch";
    EXPECT_EQ(get(), "wxA-token-1");
}

// A claim whose holder never stores a token (it died) stops counting after its hold time: the
// waiting instance then fetches itself.
TEST_F(AccessTokenCacheTest, AClaimNotHonouredInTimeIsOverridden) {
    AccessTokenCache waiting{api_, store_, clock_, AccessTokenCacheOptions{.claim_poll = std::chrono::milliseconds{1}}};
    ASSERT_TRUE(run_sync(store_.claim_fetch("wxA", clock_.now(), 15)));  // another instance, gone
    IoPool pool{1};
    pool.start();
    Outcomes outcomes;
    auto task = waiting.get(kAppA);
    asio::co_spawn(pool.next(), std::move(task), outcomes.handler());
    EXPECT_EQ(api_.stable_calls, 0);
    clock_.advance(15);
    ASSERT_TRUE(outcomes.wait_for(1));
    pool.stop();
    auto results = outcomes.results();
    ASSERT_EQ(results.size(), 1u);
    EXPECT_EQ(results[0].value(), "wxA-token-1");
    EXPECT_EQ(api_.stable_calls, 1);
}

TEST_F(AccessTokenCacheTest, AFailedFetchWakesEveryWaiterWithItsError) {
    api_.stable_script.push_back(errcode_error(errcode::rate_limited));
    auto results = twenty_concurrent_gets();
    ASSERT_EQ(results.size(), 20u);
    for (auto const& r : results) EXPECT_EQ(r.error(), errcode_error(errcode::rate_limited));
    EXPECT_EQ(api_.stable_calls, 1);
    // Failures are not cached: the next caller fetches again.
    EXPECT_EQ(get().value(), "wxA-token-2");
}

TEST_F(AccessTokenCacheTest, AFetchThatThrowsStillWakesTheWaiters) {
    api_.throw_next = true;
    IoPool pool{2};
    api_.gate = std::make_shared<Gate>(pool.first().get_executor(), 1);
    pool.start();
    Outcomes outcomes;
    for (int i = 0; i < 6; ++i) {
        auto task = cache_.get(kAppA);
        asio::co_spawn(pool.next(), std::move(task), outcomes.handler());
    }
    ASSERT_TRUE(eventually([&] { return api_.stable_calls == 1 && cache_.waiting("wxA") == 5; }));
    ASSERT_TRUE(api_.gate->try_send(error_code{}));
    ASSERT_TRUE(outcomes.wait_for(6));
    pool.stop();
    api_.gate.reset();
    EXPECT_EQ(outcomes.exceptions(), 1);  // the fetching caller
    auto results = outcomes.results();
    ASSERT_EQ(results.size(), 5u);
    for (auto const& r : results) EXPECT_EQ(r.error(), asio::error::operation_aborted);
    EXPECT_EQ(get().value(), "wxA-token-2");
}

TEST_F(AccessTokenCacheTest, DuringAnEarlyRefreshOthersKeepUsingTheOldToken) {
    EXPECT_EQ(get().value(), "wxA-token-1");
    clock_.advance(7200 - 100);  // inside the margin, not expired

    asio::io_context ioc;
    api_.gate = std::make_shared<Gate>(ioc.get_executor(), 1);
    std::optional<result<std::string>> refresher;
    std::optional<result<std::string>> other;
    auto task1 = cache_.get(kAppA);
    asio::co_spawn(ioc, std::move(task1), [&](std::exception_ptr, result<std::string> r) { refresher = r; });
    auto task2 = cache_.get(kAppA);
    asio::co_spawn(ioc, std::move(task2), [&](std::exception_ptr, result<std::string> r) { other = r; });
    ioc.poll();
    EXPECT_FALSE(refresher);
    ASSERT_TRUE(other);
    EXPECT_EQ(other->value(), "wxA-token-1");
    EXPECT_EQ(cache_.waiting("wxA"), 0u);

    ASSERT_TRUE(api_.gate->try_send(error_code{}));
    ioc.restart();
    ioc.run();
    ASSERT_TRUE(refresher);
    EXPECT_EQ(refresher->value(), "wxA-token-2");
    api_.gate.reset();
}

TEST_F(AccessTokenCacheTest, AFailedEarlyRefreshFallsBackToTheOldToken) {
    EXPECT_EQ(get().value(), "wxA-token-1");
    clock_.advance(7200 - 100);
    api_.stable_script.push_back(Errc::timeout);
    EXPECT_EQ(get().value(), "wxA-token-1");
    clock_.advance(100);  // now expired: a failure is a failure
    api_.stable_script.push_back(Errc::timeout);
    EXPECT_EQ(get().error(), Errc::timeout);
    EXPECT_EQ(get().value(), "wxA-token-4");
}

TEST_F(AccessTokenCacheTest, InvalidateClearsOnlyTheTokenThatFailed) {
    EXPECT_EQ(get().value(), "wxA-token-1");
    run_sync(cache_.invalidate("wxA", "wxA-token-0"));  // a stale report about a predecessor
    run_sync(cache_.invalidate("wxB", "wxA-token-1"));  // another app
    run_sync(cache_.invalidate("wxZ", "whatever"));     // an app never seen
    run_sync(cache_.invalidate("wxA", ""));
    EXPECT_EQ(get().value(), "wxA-token-1");
    EXPECT_EQ(api_.stable_calls, 1);

    run_sync(cache_.invalidate("wxA", "wxA-token-1"));
    EXPECT_EQ(get().value(), "wxA-token-2");
    run_sync(cache_.invalidate("wxA", "wxA-token-1"));  // late duplicate: token-2 survives
    EXPECT_EQ(get().value(), "wxA-token-2");
    EXPECT_EQ(api_.stable_calls, 2);
}

TEST_F(AccessTokenCacheTest, TokenErrcodesAreRecognised) {
    EXPECT_TRUE(is_access_token_error(errcode_error(40001)));
    EXPECT_TRUE(is_access_token_error(errcode_error(40014)));
    EXPECT_TRUE(is_access_token_error(errcode_error(42001)));
    EXPECT_FALSE(is_access_token_error(errcode_error(errcode::invalid_code)));
    EXPECT_FALSE(is_access_token_error(errcode_error(errcode::system_busy)));
    EXPECT_FALSE(is_access_token_error(error_code{40001, boost::system::generic_category()}));
    EXPECT_FALSE(is_access_token_error(Errc::timeout));
    EXPECT_FALSE(is_access_token_error(error_code{}));
}

class AccessTokenRetryTest : public AccessTokenCacheTest, public ::testing::WithParamInterface<int> {};

TEST_P(AccessTokenRetryTest, RejectedTokenIsReplacedAndTheCallRetriedOnce) {
    int const code = GetParam();
    api_.phone_answer = [code](std::string const& token) -> result<PhoneInfo> {
        if (token == "wxA-token-1") return errcode_error(code);
        return PhoneInfo{"13800000000", "13800000000", "86"};
    };
    auto info = phone();
    ASSERT_TRUE(info) << info.error().message();
    EXPECT_EQ(info->pure_phone_number, "13800000000");
    EXPECT_EQ(api_.tokens_used(), (std::vector<std::string>{"wxA-token-1", "wxA-token-2"}));
    EXPECT_EQ(api_.stable_calls, 2);
    // The replacement is cached.
    EXPECT_EQ(get().value(), "wxA-token-2");
}

TEST_P(AccessTokenRetryTest, ASecondRejectionIsReturnedWithoutLooping) {
    int const code = GetParam();
    api_.phone_answer = [code](std::string const&) -> result<PhoneInfo> { return errcode_error(code); };
    EXPECT_EQ(phone().error(), errcode_error(code));
    EXPECT_EQ(api_.tokens_used().size(), 2u);
    EXPECT_EQ(api_.stable_calls, 2);
}

INSTANTIATE_TEST_SUITE_P(TokenErrcodes,
                         AccessTokenRetryTest,
                         ::testing::Values(errcode::invalid_credential,
                                           errcode::invalid_access_token,
                                           errcode::access_token_expired));

TEST_F(AccessTokenCacheTest, OtherPhoneErrorsAreNotRetried) {
    api_.phone_answer = [](std::string const&) -> result<PhoneInfo> { return errcode_error(errcode::invalid_code); };
    EXPECT_EQ(phone().error(), errcode_error(errcode::invalid_code));
    api_.phone_answer = [](std::string const&) -> result<PhoneInfo> { return Errc::timeout; };
    EXPECT_EQ(phone().error(), Errc::timeout);
    EXPECT_EQ(api_.tokens_used().size(), 2u);
    EXPECT_EQ(api_.stable_calls, 1);  // and the token stays cached
}

TEST_F(AccessTokenCacheTest, PhoneCallIsNotMadeWithoutAToken) {
    api_.stable_script.push_back(errcode_error(errcode::invalid_appsecret));
    EXPECT_EQ(phone().error(), errcode_error(errcode::invalid_appsecret));
    EXPECT_TRUE(api_.tokens_used().empty());
}

TEST_F(AccessTokenCacheTest, AFailedRefetchForTheRetryIsReturned) {
    api_.phone_answer = [](std::string const&) -> result<PhoneInfo> {
        return errcode_error(errcode::invalid_credential);
    };
    EXPECT_EQ(get().value(), "wxA-token-1");
    api_.stable_script.push_back(Errc::connection_failed);
    EXPECT_EQ(phone().error(), Errc::connection_failed);
    EXPECT_EQ(api_.tokens_used().size(), 1u);
}

TEST_F(AccessTokenCacheTest, RetryDoesNotThrowAwayATokenRefreshedMeanwhile) {
    EXPECT_EQ(get().value(), "wxA-token-1");
    // The phone call fails with token-1, but by the time the failure is reported another caller
    // has already replaced token-1 with token-2: the retry must use token-2, not fetch token-3.
    api_.phone_answer = [this](std::string const& token) -> result<PhoneInfo> {
        if (token != "wxA-token-1") return PhoneInfo{"1", "1", "86"};
        run_sync(cache_.invalidate("wxA", "wxA-token-1"));
        auto refreshed = run_sync(cache_.get(kAppA));  // another caller, elsewhere
        EXPECT_EQ(refreshed.value(), "wxA-token-2");
        return errcode_error(errcode::invalid_credential);
    };
    EXPECT_TRUE(phone());
    EXPECT_EQ(api_.tokens_used(), (std::vector<std::string>{"wxA-token-1", "wxA-token-2"}));
    EXPECT_EQ(api_.stable_calls, 2);
}

}  // namespace
}  // namespace wx::wechat
