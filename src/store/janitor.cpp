#include "store/janitor.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include "obs/log.hpp"

namespace wx::store {
namespace {

constexpr char const* kLease = "janitor";

// result<bool> cannot be built from an error_code by the typed write(): a struct it can.
struct Claim {
    bool held = false;
};

}  // namespace

Janitor::Janitor(Backend& backend, Clock const& clock, JanitorConfig config, std::string holder)
    : backend_(backend), clock_(clock), config_(config), holder_(std::move(holder)) {}

Task<result<ExpiredRows>> Janitor::run_once() {
    std::int64_t const now = clock_.now();
    std::int64_t const until = now + 2 * config_.every.count();
    auto claim_body = [this, now, until](Transaction& tx) -> result<Claim> {
        auto held = tx.claim_lease(kLease, holder_, now, until);
        if (!held) return held.error();
        return Claim{*held};
    };
    auto claim = co_await write<Claim>(backend_, claim_body);
    if (!claim) co_return claim.error();
    ExpiredRows total;
    if (!claim->held) co_return total;

    std::int64_t const expired_before = now - config_.margin_seconds;
    std::int64_t const revoked_before = now - config_.access_grace_seconds;
    std::int64_t const batch = config_.batch;
    for (std::int64_t i = 0; i < config_.max_batches && !stopping_.load(); ++i) {
        auto body = [expired_before, revoked_before, batch](Transaction& tx) {
            return tx.delete_expired_sessions(expired_before, revoked_before, batch);
        };
        auto deleted = co_await write<ExpiredRows>(backend_, body);
        if (!deleted) co_return deleted.error();
        total.sessions += deleted->sessions;
        total.refresh_tokens += deleted->refresh_tokens;
        sessions_deleted_.fetch_add(static_cast<std::uint64_t>(deleted->sessions), std::memory_order_relaxed);
        refresh_tokens_deleted_.fetch_add(static_cast<std::uint64_t>(deleted->refresh_tokens),
                                          std::memory_order_relaxed);
        if (deleted->sessions < batch) break;  // nothing more is due
    }
    co_return total;
}

Task<void> Janitor::run() {
    asio::steady_timer timer{co_await asio::this_coro::executor};
    bool healthy = true;
    while (!stopping_.load()) {
        timer.expires_after(config_.every);
        auto [ec] = co_await timer.async_wait(use_result);
        if (ec || stopping_.load()) break;
        auto ran = co_await run_once();
        if (!ran) {
            if (std::exchange(healthy, false)) obs::log_warn("janitor_failing", {{"reason", ran.error().message()}});
            continue;
        }
        if (!std::exchange(healthy, true)) obs::log_info("janitor_recovered");
        if (ran->sessions > 0)
            obs::log_info("janitor_deleted", {{"sessions", ran->sessions}, {"refresh_tokens", ran->refresh_tokens}});
    }
}

}  // namespace wx::store
