#pragma once
// Brute-force protection for password login, after Keycloak's temporary lockout: a few free
// failures per key, then lockouts that double with each further failure up to a cap; counts are
// forgotten after a quiet period. One account key and one client-address key per attempt.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace wx::auth {

// Failure `n` (counting from 1) locks the key when n >= free_failures, for
// min(first_lockout * 2^(n - free_failures), max_lockout) seconds from that failure.
struct ThrottlePolicy {
    std::uint32_t free_failures = 5;
    std::int64_t first_lockout = 1;         // seconds
    std::int64_t max_lockout = 15 * 60;     // reached at failure free_failures + 10 (1 s x 2^10 > 900 s)
    std::int64_t quiet_period = 12 * 3600;  // a key with no failure for this long starts from zero
};

struct LoginThrottleConfig {
    // Defaults allow 5 guesses at once, about 17 in the first hour and then 4 an hour per account,
    // well under ASVS's 100 a hour; lockouts stay temporary (lockout-DoS of a known name is short).
    ThrottlePolicy account{};
    // An address is shared (NAT, carrier-grade NAT, office proxies), so it gets more free failures
    // and a shorter memory; it exists to slow down spraying one password over many accounts.
    ThrottlePolicy address{.free_failures = 20, .quiet_period = 3600};
    // Bound on tracked keys (about 200 bytes each), split evenly over the shards. When a shard is
    // full the key whose last failure is oldest is evicted: eviction only ever forgets failures, so
    // under a flood of distinct keys the protection fails open rather than refusing logins
    // (DESIGN.md: fail open for protections).
    std::size_t max_entries = 100'000;
    std::size_t shards = 16;
};

// The keys of one login attempt. The throttle prefixes them itself ("acct:", "ip:"), so the two
// kinds can never collide or get each other's policy. An empty field is skipped.
struct LoginKeys {
    std::string_view account{};  // username_key() / email_key() of the identifier as typed, known or not
    std::string_view address{};  // the client address the rate limiter trusts (the peer, or a trusted proxy's)
};

// Counts failed password logins per account and per client address and says when to refuse.
// Use: check() first; if it answers a Retry-After, reply 429 too_many_attempts without verifying
// the password (a locked key must not reveal whether the password was right); otherwise
// record_attempt() *before* verifying — so that guesses sent in parallel are counted while they are
// in flight, not after — then record_success() if the password was right. Every call is O(1) (amortised) and
// allocation-free when the key is already tracked or absent. Thread safety: all member functions may be called
// concurrently (sharded mutexes).
class LoginThrottle {
public:
    LoginThrottle(LoginThrottleConfig config, Clock const& clock);
    LoginThrottle(LoginThrottle const&) = delete;
    LoginThrottle& operator=(LoginThrottle const&) = delete;
    ~LoginThrottle();

    // Seconds until both keys are unlocked (whole seconds, at least 1), or nullopt when neither is.
    [[nodiscard]] std::optional<std::chrono::seconds> check(LoginKeys const& keys) const;
    // An attempt about to be verified: counts as a failure against both keys until it succeeds.
    void record_attempt(LoginKeys const& keys);
    // The attempt's password was right: forgets the account's failures and takes back the attempt's
    // charge on the address. The address's other failures are kept: otherwise an attacker with one
    // valid account could interleave its logins to reset the address counter while spraying others.
    void record_success(LoginKeys const& keys);

    [[nodiscard]] std::size_t size() const;  // keys tracked now
    [[nodiscard]] std::uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }
    [[nodiscard]] LoginThrottleConfig const& config() const { return config_; }

private:
    struct Shard;
    enum class Kind { account, address };

    [[nodiscard]] Shard& shard_for(std::string_view key) const;
    [[nodiscard]] ThrottlePolicy const& policy(Kind kind) const;
    [[nodiscard]] std::optional<std::int64_t> locked_for(std::string_view key, std::int64_t now) const;
    void fail(Kind kind, std::string_view key, std::int64_t now);

    LoginThrottleConfig config_;
    Clock const& clock_;
    std::size_t shard_capacity_;
    std::unique_ptr<Shard[]> shards_;
    std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace wx::auth
