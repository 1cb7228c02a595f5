#include "wechat/access_token_cache.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <utility>

#include "obs/log.hpp"

namespace wx::wechat {

// A concurrent channel, because the fetch may finish on another thread than the waiter's: a
// buffered send never blocks and can precede the receive, and the receive resumes the waiter
// on its own executor.
struct AccessTokenCache::Waiter {
    explicit Waiter(asio::any_io_executor const& executor) : channel(executor, 1) {}
    asio::experimental::concurrent_channel<void(error_code, std::string)> channel;
};

// Held by the fetching caller across its fetch: if the coroutine is destroyed or throws before it
// lands its result, the destructor lands an error instead, so that no waiter waits forever and the
// next caller fetches again.
class AccessTokenCache::Flight {
public:
    Flight(AccessTokenCache& cache, std::string app_id, Stored previous)
        : cache_(cache), app_id_(std::move(app_id)), previous_(std::move(previous)) {}
    Flight(Flight const&) = delete;
    Flight& operator=(Flight const&) = delete;
    ~Flight() {
        if (!landed_) (void)cache_.land(app_id_, error_code{asio::error::operation_aborted}, previous_);
    }

    result<std::string> land(result<AccessToken> const& fetched) {
        landed_ = true;
        return cache_.land(app_id_, fetched, previous_);
    }

private:
    AccessTokenCache& cache_;
    std::string app_id_;
    Stored previous_;
    bool landed_ = false;
};

bool is_access_token_error(error_code const& ec) noexcept {
    if (ec.category() != errcode_category()) return false;
    switch (ec.value()) {
        case errcode::invalid_credential:
        case errcode::invalid_access_token:
        case errcode::access_token_expired:
            return true;
        default:
            return false;
    }
}

AccessTokenCache::AccessTokenCache(WeChatApi& api,
                                   store::AccessTokenStore& store,
                                   Clock const& clock,
                                   AccessTokenCacheOptions options)
    : api_(api), store_(store), clock_(clock), options_(options) {}

AccessTokenCache::~AccessTokenCache() = default;

std::int64_t AccessTokenCache::refresh_margin(std::int64_t expires_in) noexcept {
    return std::clamp<std::int64_t>(expires_in / kRefreshFraction, 0, kMaxRefreshMargin);
}

Task<result<std::string>> AccessTokenCache::get(AppCredentials const& app) {
    enum class Step { use_stored, wait, fetch };
    auto executor = co_await asio::this_coro::executor;
    Step step = Step::fetch;
    Stored stored;
    std::shared_ptr<Waiter> waiter;
    for (int look = 0;; ++look) {
        std::uint64_t landings = 0;
        {
            std::lock_guard lock{mutex_};
            landings = entries_[app.app_id].landings;
        }
        stored = co_await store_.load(app.app_id);
        std::lock_guard lock{mutex_};
        Entry& e = entries_[app.app_id];
        // A fetch landed while we looked, so what we loaded may predate it: look again (a
        // landing is rare, so twice is plenty; after that the answer is merely conservative).
        if (e.landings != landings && look < 2) continue;
        std::int64_t const now = clock_.now();
        bool const has_token = stored && !stored->token.empty();
        if (has_token && now < stored->refresh_at) {
            step = Step::use_stored;
        } else if (e.fetching && has_token && now < stored->expires_at) {
            step = Step::use_stored;  // someone is refreshing it; it is still good meanwhile
        } else if (e.fetching) {
            step = Step::wait;
            waiter = std::make_shared<Waiter>(executor);
            e.waiters.push_back(waiter);
        } else {
            e.fetching = true;
        }
        break;
    }

    switch (step) {
        case Step::use_stored:
            co_return stored->token;
        case Step::wait: {
            auto [ec, token] = co_await waiter->channel.async_receive(use_result);
            if (ec) co_return ec;
            co_return std::move(token);
        }
        case Step::fetch:
            break;
    }
    Flight flight{*this, app.app_id, stored};
    auto fetched = co_await fetch(app, stored);
    co_return flight.land(fetched);
}

Task<result<AccessToken>> AccessTokenCache::fetch(AppCredentials const& app, Stored const& previous) {
    bool const claimed = co_await store_.claim_fetch(app.app_id, clock_.now(), options_.claim_hold_seconds);
    if (!claimed) {
        // Another instance is fetching: its token appears in the store. If it does not in time,
        // fetch anyway — a protection against a thundering herd must not become an outage.
        Stored theirs = co_await await_other_fetch(app.app_id);
        if (theirs && (!previous || theirs->token != previous->token)) {
            shared_.fetch_add(1, std::memory_order_relaxed);
            co_return AccessToken{theirs->token, theirs->expires_at - clock_.now()};
        }
    }
    // The claim is released however the fetch ends (co_await cannot sit in a catch handler).
    std::optional<result<AccessToken>> fetched;
    std::exception_ptr failure;
    try {
        // Looked at again under the claim: another instance may have fetched, saved and released
        // between our look and our claim, and its token must not be fetched a second time.
        bool reused = false;
        if (claimed) {
            Stored const now_stored = co_await store_.load(app.app_id);
            if (now_stored && !now_stored->token.empty() && clock_.now() < now_stored->refresh_at &&
                (!previous || now_stored->token != previous->token)) {
                fetched.emplace(AccessToken{now_stored->token, now_stored->expires_at - clock_.now()});
                reused = true;
                shared_.fetch_add(1, std::memory_order_relaxed);
            }
        }
        if (!fetched) {
            fetched.emplace(co_await api_.stable_token(app, false));
            (*fetched ? fetched_ : failed_).fetch_add(1, std::memory_order_relaxed);
        }
        if (*fetched && !reused) {
            // WeChat's tokens live 7200 s; a wild value must not overflow the arithmetic below.
            std::int64_t const lifetime = std::clamp<std::int64_t>((*fetched)->expires_in, 0, kMaxLifetime);
            std::int64_t const expires_at = clock_.now() + lifetime;
            store::StoredAccessToken token{(*fetched)->token, expires_at, expires_at - refresh_margin(lifetime)};
            co_await store_.save(app.app_id, std::move(token));
        }
    } catch (...) {
        failure = std::current_exception();
    }
    if (claimed) co_await store_.release_fetch(app.app_id);
    if (failure) std::rethrow_exception(failure);
    co_return std::move(*fetched);
}

AccessTokenCache::FetchCounts AccessTokenCache::fetch_counts() const {
    return {fetched_.load(std::memory_order_relaxed), failed_.load(std::memory_order_relaxed),
            shared_.load(std::memory_order_relaxed)};
}

Task<AccessTokenCache::Stored> AccessTokenCache::await_other_fetch(std::string const& app_id) {
    auto executor = co_await asio::this_coro::executor;
    asio::steady_timer timer{executor};
    std::int64_t const give_up = clock_.now() + options_.claim_hold_seconds;
    while (clock_.now() < give_up) {
        timer.expires_after(options_.claim_poll);
        auto [ec] = co_await timer.async_wait(use_result);
        if (ec) co_return std::nullopt;
        Stored loaded = co_await store_.load(app_id);
        if (loaded && clock_.now() < loaded->refresh_at) co_return loaded;
    }
    co_return std::nullopt;
}

result<std::string> AccessTokenCache::land(std::string const& app_id,
                                           result<AccessToken> const& fetched,
                                           Stored const& previous) {
    std::vector<std::shared_ptr<Waiter>> waiters;
    result<std::string> answer = asio::error::operation_aborted;
    {
        std::lock_guard lock{mutex_};
        Entry& e = entries_[app_id];
        e.fetching = false;
        ++e.landings;
        waiters.swap(e.waiters);
    }
    if (fetched)
        answer = fetched->token;
    else if (previous && !previous->token.empty() && clock_.now() < previous->expires_at)
        answer = previous->token;  // a failed early refresh: the old token still works
    else
        answer = fetched.error();
    if (fetched)
        obs::log_info("wechat_access_token_fetched", {{"app_id", app_id}, {"expires_in", fetched->expires_in}});
    else
        obs::log_warn("wechat_access_token_fetch_failed",
                      {{"app_id", app_id}, {"error", fetched.error().message()}, {"waiters", waiters.size()}});
    error_code const ec = answer ? error_code{} : answer.error();
    std::string const token = answer ? *answer : std::string{};
    for (auto const& w : waiters) {
        // Never full: one slot, one message.
        (void)w->channel.try_send(ec, token);
    }
    return answer;
}

Task<void> AccessTokenCache::invalidate(std::string app_id, std::string failed_token) {
    bool const cleared = co_await store_.discard(app_id, std::move(failed_token));
    obs::log_info("wechat_access_token_invalidated", {{"app_id", app_id}, {"cleared", cleared}});
}

std::size_t AccessTokenCache::waiting(std::string_view app_id) const {
    std::lock_guard lock{mutex_};
    auto it = entries_.find(app_id);
    return it == entries_.end() ? 0 : it->second.waiters.size();
}

Task<result<PhoneInfo>> fetch_phone_number(WeChatApi& api,
                                           AccessTokenSource& tokens,
                                           AppCredentials const& app,
                                           std::string phone_code) {
    auto call = [&api, &phone_code](std::string const& token) { return api.phone_number(token, phone_code); };
    co_return co_await with_access_token(tokens, app, call);
}

}  // namespace wx::wechat
