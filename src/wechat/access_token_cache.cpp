#include "wechat/access_token_cache.hpp"

#include <algorithm>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/concurrent_channel.hpp>
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
    Flight(AccessTokenCache& cache, std::string app_id) : cache_(cache), app_id_(std::move(app_id)) {}
    Flight(Flight const&) = delete;
    Flight& operator=(Flight const&) = delete;
    ~Flight() {
        if (!landed_) (void)cache_.land(app_id_, error_code{asio::error::operation_aborted});
    }

    result<std::string> land(result<AccessToken> fetched) {
        landed_ = true;
        return cache_.land(app_id_, std::move(fetched));
    }

private:
    AccessTokenCache& cache_;
    std::string app_id_;
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

AccessTokenCache::~AccessTokenCache() = default;

std::int64_t AccessTokenCache::refresh_margin(std::int64_t expires_in) noexcept {
    return std::clamp<std::int64_t>(expires_in / kRefreshFraction, 0, kMaxRefreshMargin);
}

Task<result<std::string>> AccessTokenCache::get(AppCredentials const& app) {
    enum class Step { use_cached, wait, fetch };
    auto executor = co_await asio::this_coro::executor;
    Step step = Step::fetch;
    std::string cached;
    std::shared_ptr<Waiter> waiter;
    {
        std::lock_guard lock{mutex_};
        Entry& e = entries_.try_emplace(app.app_id).first->second;
        std::int64_t const now = clock_.now();
        bool const has_token = !e.token.empty();
        if (has_token && now < e.refresh_at) {
            step = Step::use_cached;
        } else if (e.fetching && has_token && now < e.expires_at) {
            step = Step::use_cached;  // someone is refreshing it; it is still good meanwhile
        } else if (e.fetching) {
            step = Step::wait;
            waiter = std::make_shared<Waiter>(executor);
            e.waiters.push_back(waiter);
        } else {
            e.fetching = true;
        }
        if (step == Step::use_cached) cached = e.token;
    }

    switch (step) {
        case Step::use_cached:
            co_return cached;
        case Step::wait: {
            auto [ec, token] = co_await waiter->channel.async_receive(use_result);
            if (ec) co_return ec;
            co_return std::move(token);
        }
        case Step::fetch:
            break;
    }
    Flight flight{*this, app.app_id};
    auto fetched = co_await api_.stable_token(app, false);
    co_return flight.land(std::move(fetched));
}

result<std::string> AccessTokenCache::land(std::string const& app_id, result<AccessToken> fetched) {
    std::vector<std::shared_ptr<Waiter>> waiters;
    result<std::string> answer = asio::error::operation_aborted;
    {
        std::lock_guard lock{mutex_};
        Entry& e = entries_.try_emplace(app_id).first->second;
        std::int64_t const now = clock_.now();
        e.fetching = false;
        waiters.swap(e.waiters);
        if (fetched) {
            e.token = std::move(fetched->token);
            // WeChat's tokens live 7200 s; a wild value must not overflow the arithmetic below.
            std::int64_t const lifetime = std::clamp<std::int64_t>(fetched->expires_in, 0, kMaxLifetime);
            e.expires_at = now + lifetime;
            e.refresh_at = e.expires_at - refresh_margin(lifetime);
            answer = e.token;
        } else if (!e.token.empty() && now < e.expires_at) {
            answer = e.token;  // a failed early refresh: the old token still works
        } else {
            answer = fetched.error();
        }
    }
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

void AccessTokenCache::invalidate(std::string_view app_id, std::string_view failed_token) {
    bool cleared = false;
    {
        std::lock_guard lock{mutex_};
        auto it = entries_.find(app_id);
        if (it != entries_.end() && !it->second.token.empty() && it->second.token == failed_token) {
            Entry& e = it->second;
            e.token.clear();
            e.expires_at = 0;
            e.refresh_at = 0;
            cleared = true;
        }
    }
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
