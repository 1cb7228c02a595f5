#pragma once

#include <chrono>

#include "core/clock.hpp"
#include "store/in_process_revocation_list.hpp"
#include "store/redis_feed.hpp"
#include "store/revocation_list.hpp"

namespace wx::store {

struct RedisRevocationListOptions {
    // The vouching rule (0: off, and check() never answers `unknown`). When set, a session not
    // known to be revoked is `live` only while one of the two channels vouches for the local copy:
    //   - the database: a change-log poll that read the log to its end started at most this long
    //     ago (database_caught_up()), or
    //   - Redis: the feed has been subscribed without interruption since before the start of the
    //     last such poll (so the poll covers what came before, the feed everything after).
    // Otherwise check() answers `unknown` (503). A revoked session is always `revoked`.
    std::chrono::milliseconds vouch_window{0};
};

// The RevocationList of an instance among several: the local copy (an InProcessRevocationList)
// answers check(), so the per-request check stays a local lookup; announce() applies at once here
// and publishes on the feed, whose subscriber applies other instances' revocations to this copy
// within milliseconds. The database change log is the other channel: its poller applies what it
// reads with restore(). Redis is never the record, so losing it (down, restarted empty, flushed,
// a message lost while a subscriber reconnected) only slows propagation to the poll interval; it
// never makes a revoked session live again, because nothing here ever un-revokes one.
//
// Thread safety: all member functions may be called concurrently.
class RedisRevocationList final : public RevocationList {
public:
    // Listens on the feed from construction; the feed may be started before or after.
    RedisRevocationList(Clock const& clock, RedisFeed& feed, RedisRevocationListOptions options = {});

    [[nodiscard]] Status check(std::string_view session_id) const override;
    // Applies locally, then publishes (best effort: a failure is logged by the Redis client once
    // per outage, and the database change log carries the revocation anyway).
    Task<void> announce(std::vector<RevokedSession> sessions) override;
    // Local only: for revocations learned from elsewhere (the start-up restore, the change-log
    // poller); never published again.
    void restore(std::vector<RevokedSession> const& sessions) override;
    [[nodiscard]] std::size_t size() const override { return local_.size(); }

    // The change-log poller reports a poll, started at `poll_started`, that read the log to its
    // end and applied it (restore()). Feeds the vouching rule; harmless when it is off.
    void database_caught_up(std::chrono::steady_clock::time_point poll_started) override;
    // Whether the copy is vouched for now (always true when the rule is off).
    [[nodiscard]] bool vouched() const;

private:
    void on_message(std::string_view body);
    // The Redis half of the vouching rule.
    [[nodiscard]] bool feed_vouches() const;

    InProcessRevocationList local_;  // with the vouch window: the database half of the rule
    RedisFeed& feed_;
    RedisFeed::Subscription subscription_;  // last: stops the feed's calls before the rest goes
};

// The message of the revocation channel: one "UNTIL SESSION_ID" line per session (ids never hold
// white space). Exposed for tests.
[[nodiscard]] std::string encode_revocations(std::vector<RevokedSession> const& sessions);
[[nodiscard]] std::vector<RevokedSession> decode_revocations(std::string_view body);

}  // namespace wx::store
