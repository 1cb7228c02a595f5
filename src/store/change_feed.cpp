#include "store/change_feed.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <charconv>

#include "obs/log.hpp"

namespace wx::store {

ChangeFeed::ChangeFeed(
    ChangeLog& log, RevocationList& revocations, UserCache& users, Clock const& clock, ChangeFeedConfig config)
    : log_(log), revocations_(revocations), users_(users), clock_(clock), config_(config) {}

Task<result<void>> ChangeFeed::start_from_now() {
    auto last = co_await log_.last_seq();
    if (!last) co_return last.error();
    seen_max_ = next_after_ = *last;
    last_prune_ = clock_.now();
    revocations_.database_caught_up(std::chrono::steady_clock::now());
    co_return result<void>{};
}

Task<void> ChangeFeed::apply(Change const& change) {
    switch (change.kind) {
        case ChangeKind::session_revoked:
            revocations_.restore({RevokedSession{change.subject, change.until}});
            break;
        case ChangeKind::user_changed: {
            std::int64_t id = 0;
            auto [p, ec] = std::from_chars(change.subject.data(), change.subject.data() + change.subject.size(), id);
            if (ec == std::errc{} && p == change.subject.data() + change.subject.size()) co_await users_.invalidate(id);
            break;
        }
    }
}

Task<result<std::int64_t>> ChangeFeed::poll_once() {
    auto const started = std::chrono::steady_clock::now();
    auto entries = co_await log_.after(next_after_, config_.batch);
    if (!entries) co_return entries.error();
    std::int64_t const now = clock_.now();
    std::int64_t count = 0;
    for (auto const& change : *entries) {
        if (change.seq > seen_max_) {
            for (std::int64_t missing = seen_max_ + 1; missing < change.seq; ++missing) holes_.emplace(missing, now);
            seen_max_ = change.seq;
        }
        holes_.erase(change.seq);
        co_await apply(change);
        ++count;
    }
    // Holes that stayed open this long were rollbacks, not slow commits: stop waiting for them.
    std::erase_if(holes_, [&](auto const& hole) { return now - hole.second >= config_.hole_patience_seconds; });
    next_after_ = holes_.empty() ? seen_max_ : holes_.begin()->first - 1;
    applied_.fetch_add(static_cast<std::uint64_t>(count), std::memory_order_relaxed);
    // A full batch may have more behind it; a short one read the log to its end.
    if (count < config_.batch) revocations_.database_caught_up(started);
    co_return count;
}

Task<void> ChangeFeed::prune_if_due() {
    std::int64_t const now = clock_.now();
    if (now - last_prune_ < config_.prune_every.count()) co_return;
    last_prune_ = now;
    auto pruned = co_await log_.prune(now - config_.keep_seconds);
    if (pruned && *pruned > 0) obs::log_debug("change_log_pruned", {{"entries", *pruned}});
}

Task<void> ChangeFeed::run() {
    asio::steady_timer timer{co_await asio::this_coro::executor};
    while (!stopping_.load()) {
        auto polled = co_await poll_once();
        if (!polled && healthy_.exchange(false))
            obs::log_warn("change_feed_failing", {{"reason", polled.error().message()}});
        else if (polled && !healthy_.exchange(true))
            obs::log_info("change_feed_recovered", {{"position", next_after_}});
        if (polled) co_await prune_if_due();
        timer.expires_after(config_.poll_every);
        auto [ec] = co_await timer.async_wait(use_result);
        if (ec) break;
    }
}

}  // namespace wx::store
