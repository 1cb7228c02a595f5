#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>

#include "core/clock.hpp"
#include "core/task.hpp"
#include "store/change_log.hpp"
#include "store/revocation_list.hpp"
#include "store/user_cache.hpp"

namespace wx::store {

struct ChangeFeedConfig {
    // How often the log is read: revocations reach this instance within about this long through
    // the database alone (API.md: within 1 s on every instance), whatever Redis does.
    std::chrono::milliseconds poll_every{250};
    std::int64_t batch = 1000;  // entries read per query; a longer backlog takes several
    // A seq missing below the newest one seen is a transaction that took its number and has not
    // committed yet (MySQL hands out AUTO_INCREMENT values before commit) — or one that rolled
    // back. The feed reads from the oldest such hole again until it is filled or this old.
    std::int64_t hole_patience_seconds = 10;
    // Entries older than every access token they could concern are deleted (by every instance:
    // the DELETE is idempotent), at most this often.
    std::chrono::seconds prune_every{60};
    std::int64_t keep_seconds = 3600 + 300;  // set to the access-token lifetime plus a margin
};

// The database channel of DESIGN.md "Scale-out": applies the change log to this instance's
// revocation list (local only: restore()) and user cache (invalidate()), so every instance is
// within about a poll interval of every revocation and user change, with or without Redis.
// Applying an entry twice is harmless, which is what makes re-reading around holes safe.
// Thread safety: run() and poll_once() from one coroutine at a time; stop() from any thread.
class ChangeFeed {
public:
    ChangeFeed(
        ChangeLog& log, RevocationList& revocations, UserCache& users, Clock const& clock, ChangeFeedConfig config);

    // Before serving: starts after the newest entry, since what came before is already in the
    // revocation list (rebuilt from the sessions table) and nothing is cached yet.
    Task<result<void>> start_from_now();
    // Reads and applies what is new; answers how many entries it applied.
    Task<result<std::int64_t>> poll_once();
    // poll_once() every poll_every until stop(); a failed poll is logged once per outage and
    // retried at the next tick.
    Task<void> run();
    void stop() { stopping_.store(true); }

    [[nodiscard]] std::int64_t position() const { return next_after_; }
    [[nodiscard]] std::uint64_t applied() const { return applied_.load(std::memory_order_relaxed); }
    [[nodiscard]] bool healthy() const { return healthy_.load(std::memory_order_relaxed); }

private:
    Task<void> apply(Change const& change);
    Task<void> prune_if_due();

    ChangeLog& log_;
    RevocationList& revocations_;
    UserCache& users_;
    Clock const& clock_;
    ChangeFeedConfig config_;
    std::int64_t seen_max_ = 0;                   // the newest seq applied
    std::int64_t next_after_ = 0;                 // the next read asks for seq > this
    std::map<std::int64_t, std::int64_t> holes_;  // missing seq -> when first noticed
    std::int64_t last_prune_ = 0;
    std::atomic<bool> stopping_{false};
    std::atomic<bool> healthy_{true};
    std::atomic<std::uint64_t> applied_{0};
};

}  // namespace wx::store
