#pragma once
// Brute-force protection for password login, after Keycloak's temporary lockout: a few free
// failures per key, then lockouts that double with each further failure up to a cap; counts are
// forgotten after a quiet period. One account key and one client-address key per attempt.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/task.hpp"
#include "store/attempt_counter.hpp"

namespace wx::auth {

using ThrottlePolicy = store::LockoutPolicy;

struct LoginThrottleConfig {
    // Defaults allow 5 guesses at once, about 17 in the first hour and then 4 an hour per account,
    // well under ASVS's 100 a hour; lockouts stay temporary (lockout-DoS of a known name is short).
    ThrottlePolicy account{};
    // An address is shared (NAT, carrier-grade NAT, office proxies), so it gets more free failures
    // and a shorter memory; it exists to slow down spraying one password over many accounts.
    ThrottlePolicy address{.free_failures = 20, .quiet_period = 3600};
};

// The account key of an existing account: login, re-authentication and an admin's unlock must
// all name it the same way. (An identifier matching no account is keyed "name:<canonical form>".)
[[nodiscard]] inline std::string account_key(std::int64_t user_id) { return "user:" + std::to_string(user_id); }

// The keys of one login attempt. The throttle prefixes them itself ("acct:", "ip:"), so the two
// kinds can never collide or get each other's policy. An empty field is skipped.
struct LoginKeys {
    std::string_view account{};  // username_key() / email_key() of the identifier as typed, known or not
    std::string_view address{};  // the client address the rate limiter trusts (the peer, or a trusted proxy's)
};

// Decides when to refuse password logins, on counts kept by a store::AttemptCounter (in this
// process, or shared by every instance). Use: admit() *before* verifying the password; if it
// answers a Retry-After, reply 429 too_many_attempts without verifying it (a locked key must not
// reveal whether the password was right); otherwise verify, and record_success() if it was right.
// admit() checks and charges each key in one atomic step, so guesses sent in parallel — to one
// instance or to many — are counted while in flight and cannot all pass a lock together.
// The keys' strings must outlive each call.
// Thread safety: all member functions may be called concurrently.
class LoginThrottle {
public:
    // Throws std::invalid_argument for a policy that cannot work.
    LoginThrottle(LoginThrottleConfig config, store::AttemptCounter& counter, Clock const& clock);

    // Charges an attempt about to be verified against both keys (a failure until it succeeds), or,
    // when a key is locked, answers the seconds until it is not (whole seconds, at least 1) and
    // leaves nothing charged: the refused attempt is not a guess.
    // The Retry-After is the longer wait of the two keys.
    Task<std::optional<std::chrono::seconds>> admit(LoginKeys keys);
    // Read only: the seconds until both keys are unlocked, or nullopt when neither is — what
    // admit() would refuse with, charging nothing (for inspection: tests, operators' tools).
    Task<std::optional<std::chrono::seconds>> check(LoginKeys keys) const;
    // The attempt's password was right: forgets the account's failures and takes back the attempt's
    // charge on the address. The address's other failures are kept: otherwise an attacker with one
    // valid account could interleave its logins to reset the address counter while spraying others.
    Task<void> record_success(LoginKeys keys);
    // An administrator lifts the account's lockout: its failures are forgotten (addresses keep theirs).
    Task<void> unlock(std::string_view account);

    [[nodiscard]] LoginThrottleConfig const& config() const { return config_; }

private:
    LoginThrottleConfig config_;
    store::AttemptCounter& counter_;
    Clock const& clock_;
};

}  // namespace wx::auth
