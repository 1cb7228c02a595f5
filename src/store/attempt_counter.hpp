#pragma once

#include <cstdint>
#include <string>

#include "core/task.hpp"

namespace wx::store {

// When failures lock a key: failure `n` (counting from 1) locks it when n >= free_failures, for
// min(first_lockout * 2^(n - free_failures), max_lockout) seconds from that failure; a key with no
// failure for quiet_period seconds starts from zero again.
struct LockoutPolicy {
    std::uint32_t free_failures = 5;
    std::int64_t first_lockout = 1;         // seconds
    std::int64_t max_lockout = 15 * 60;     // reached at failure free_failures + 10 (1 s x 2^10 > 900 s)
    std::int64_t quiet_period = 12 * 3600;  // seconds
};

// The lockout of the policy after `failures` failures (0 while they are free).
[[nodiscard]] std::int64_t lockout_seconds(LockoutPolicy const& policy, std::uint32_t failures) noexcept;

// Failed attempts per key, with the policy's temporary lockouts: the storage behind the
// brute-force limits of password login. Keys are opaque (the caller prefixes their kinds).
//
// Failure mode: fails open. A protection must not become an outage: a shared implementation that
// cannot reach its store counts in this instance alone, and an implementation that must forget
// (a bounded table) forgets the oldest failures.
// Thread safety: all member functions may be called concurrently.
class AttemptCounter {
public:
    virtual ~AttemptCounter() = default;

    // Seconds the key stays locked at `now`; 0 when it is not locked. Read only: what charge()
    // would refuse with (for inspection; the login path relies on charge() alone).
    virtual Task<std::int64_t> locked_for(std::string key, LockoutPolicy policy, std::int64_t now) = 0;
    // Check and charge in one atomic step: while the key is locked at `now`, counts nothing and
    // answers the seconds it stays locked; otherwise counts one failure more and answers 0. Atomic
    // across every caller that shares the counter (threads, and instances for a shared one), so
    // that guesses sent in parallel cannot all pass a lock that an earlier one set: of many
    // concurrent charges at one `now` on a key with n < free_failures failures, exactly
    // free_failures - n are counted and the rest refused.
    // A refused charge is not a guess (the caller refuses the attempt unverified), so it neither
    // counts nor lengthens the lockout.
    virtual Task<std::int64_t> charge(std::string key, LockoutPolicy policy, std::int64_t now) = 0;
    // Takes one failure back (an attempt charged before its verification that turned out right,
    // or one whose other key refused it);
    // lifts the lock when the count falls below the free failures.
    virtual Task<void> take_back(std::string key, LockoutPolicy policy) = 0;
    // Forgets the key's failures.
    virtual Task<void> clear(std::string key) = 0;
};

}  // namespace wx::store
