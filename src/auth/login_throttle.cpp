#include "auth/login_throttle.hpp"

#include <algorithm>
#include <stdexcept>

namespace wx::auth {
namespace {

constexpr std::string_view kAccountPrefix = "acct:";
constexpr std::string_view kAddressPrefix = "ip:";
// Longer keys are cut here. No real account or address is this long (e-mail <= 254), so only junk
// identifiers can share a counter this way, and memory per key stays bounded.
constexpr std::size_t kMaxKeyBytes = 320;

std::string prefixed(std::string_view prefix, std::string_view key) {
    std::string out{prefix};
    out.append(key.substr(0, kMaxKeyBytes));
    return out;
}

void validate(ThrottlePolicy const& p, char const* name) {
    if (p.free_failures < 1 || p.first_lockout < 1 || p.max_lockout < p.first_lockout || p.quiet_period < 1) {
        throw std::invalid_argument(std::string("login throttle: ") + name +
                                    " needs free_failures >= 1, 1 <= first_lockout <= max_lockout, quiet_period >= 1");
    }
}

}  // namespace

LoginThrottle::LoginThrottle(LoginThrottleConfig config, store::AttemptCounter& counter, Clock const& clock)
    : config_(config), counter_(counter), clock_(clock) {
    validate(config_.account, "account");
    validate(config_.address, "address");
}

// Keys are named before each co_await: g++ 12 mishandles temporaries inside co_await expressions.
Task<std::optional<std::chrono::seconds>> LoginThrottle::admit(LoginKeys keys) {
    std::int64_t const now = clock_.now();
    std::string account = keys.account.empty() ? std::string{} : prefixed(kAccountPrefix, keys.account);
    std::string address = keys.address.empty() ? std::string{} : prefixed(kAddressPrefix, keys.address);
    std::int64_t account_wait = 0;
    if (!account.empty()) account_wait = co_await counter_.charge(account, config_.account, now);
    if (account_wait > 0) {
        // Refused: the address is left uncharged, only asked how long it is locked itself.
        std::int64_t address_wait = 0;
        if (!address.empty()) address_wait = co_await counter_.locked_for(std::move(address), config_.address, now);
        co_return std::chrono::seconds(std::max(account_wait, address_wait));
    }
    std::int64_t address_wait = 0;
    if (!address.empty()) address_wait = co_await counter_.charge(address, config_.address, now);
    if (address_wait <= 0) co_return std::nullopt;
    // Refused by the address after the account was charged: take the account's charge back.
    if (!account.empty()) co_await counter_.take_back(std::move(account), config_.account);
    co_return std::chrono::seconds(address_wait);
}

Task<std::optional<std::chrono::seconds>> LoginThrottle::check(LoginKeys keys) const {
    std::int64_t const now = clock_.now();
    std::int64_t wait = 0;
    if (!keys.account.empty()) {
        std::string key = prefixed(kAccountPrefix, keys.account);
        wait = co_await counter_.locked_for(std::move(key), config_.account, now);
    }
    if (!keys.address.empty()) {
        std::string key = prefixed(kAddressPrefix, keys.address);
        std::int64_t const w = co_await counter_.locked_for(std::move(key), config_.address, now);
        wait = std::max(wait, w);
    }
    if (wait <= 0) co_return std::nullopt;
    co_return std::chrono::seconds(wait);
}

Task<void> LoginThrottle::record_success(LoginKeys keys) {
    if (!keys.account.empty()) {
        std::string key = prefixed(kAccountPrefix, keys.account);
        co_await counter_.clear(std::move(key));
    }
    if (!keys.address.empty()) {
        std::string key = prefixed(kAddressPrefix, keys.address);
        co_await counter_.take_back(std::move(key), config_.address);
    }
}

Task<void> LoginThrottle::unlock(std::string_view account) {
    std::string key = prefixed(kAccountPrefix, account);
    co_await counter_.clear(std::move(key));
}

}  // namespace wx::auth
