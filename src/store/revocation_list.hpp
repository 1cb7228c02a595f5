#pragma once

#include <chrono>
#include <cstddef>
#include <string_view>
#include <vector>

#include "core/task.hpp"
#include "store/model.hpp"

namespace wx::store {

// Which login sessions are revoked, as this instance enforces it. The database is the record
// (SessionStore writes every revocation there first); this is the copy that every authenticated
// request consults, so check() is a local lookup and never a round trip. An id is kept until the
// last access token of its session expires: after that the token's own `exp` refuses it.
//
// Revocations reach an instance through two channels: the database change log, which every
// instance polls (the record: it cannot lose one), and, with Redis, a fast feed. Nothing ever
// un-revokes a session, so no failure of either channel can make a revoked token valid again.
//
// Failure mode: fails closed. An implementation that cannot vouch for its copy answers `unknown`,
// and protected endpoints answer 503 rather than accept a token that may have been revoked. For
// the Redis one that is when neither channel vouches: the last change-log poll that caught up is
// older than the bound and the feed has not been subscribed without a gap since that poll
// (RedisRevocationListOptions::vouch_window). A Redis outage alone never makes it `unknown`. The
// in-process one, where the database is the only channel (MySQL without Redis), is `unknown` once
// the last poll that caught up is older than its bound; alone with an SQLite file it always vouches.
// Thread safety: all member functions may be called concurrently.
class RevocationList {
public:
    enum class Status { live, revoked, unknown };

    virtual ~RevocationList() = default;

    // The per-request check.
    [[nodiscard]] virtual Status check(std::string_view session_id) const = 0;
    // Sessions whose revocation the database has just recorded: refused here from the moment
    // this returns, and by every other instance sharing the database within the propagation
    // bound (API.md, "Revocation across instances"). Async: a shared implementation publishes.
    virtual Task<void> announce(std::vector<RevokedSession> sessions) = 0;
    // Local only, never published: revocations this instance learned from elsewhere — at start,
    // before serving, those recorded before it started; afterwards those the change-log poller
    // reads. Refused here from the moment this returns.
    virtual void restore(std::vector<RevokedSession> const& sessions) = 0;
    // Revoked sessions held now.
    [[nodiscard]] virtual std::size_t size() const = 0;
    // The change-log poller reports a poll, started at `poll_started`, that read the log to its
    // end and applied it: what lets an implementation with a vouching rule vouch.
    virtual void database_caught_up(std::chrono::steady_clock::time_point poll_started) = 0;
};

}  // namespace wx::store
