#include "auth/login_throttle.hpp"

#include <algorithm>
#include <array>
#include <functional>
#include <limits>
#include <list>
#include <mutex>
#include <stdexcept>
#include <unordered_map>

namespace wx::auth {
namespace {

constexpr std::string_view kAccountPrefix = "acct:";
constexpr std::string_view kAddressPrefix = "ip:";
// Longer keys are cut here. No real account or address is this long (e-mail <= 254), so only junk
// identifiers can share a counter this way, and memory per key stays bounded.
constexpr std::size_t kMaxKeyBytes = 320;
// Expired entries dropped from a shard's tail per recorded failure: keeps each call O(1).
constexpr int kPrunePerCall = 2;

// A prefixed key built in place, so lookups of tracked or absent keys do not allocate.
class PrefixedKey {
public:
    PrefixedKey(std::string_view prefix, std::string_view key) {
        key = key.substr(0, kMaxKeyBytes);
        std::copy(prefix.begin(), prefix.end(), buf_.begin());
        std::copy(key.begin(), key.end(), buf_.begin() + static_cast<std::ptrdiff_t>(prefix.size()));
        size_ = prefix.size() + key.size();
    }
    [[nodiscard]] std::string_view view() const { return {buf_.data(), size_}; }

private:
    std::array<char, kAccountPrefix.size() + kMaxKeyBytes> buf_{};
    std::size_t size_ = 0;
};

std::int64_t lockout_seconds(ThrottlePolicy const& p, std::uint32_t failures) {
    std::uint32_t const doublings = failures - p.free_failures;
    std::int64_t d = p.first_lockout;
    for (std::uint32_t i = 0; i < doublings && d < p.max_lockout; ++i) d *= 2;
    return std::min(d, p.max_lockout);
}

void validate(ThrottlePolicy const& p, char const* name) {
    if (p.free_failures < 1 || p.first_lockout < 1 || p.max_lockout < p.first_lockout || p.quiet_period < 1) {
        throw std::invalid_argument(std::string("login throttle: ") + name +
                                    " needs free_failures >= 1, 1 <= first_lockout <= max_lockout, quiet_period >= 1");
    }
}

}  // namespace

struct LoginThrottle::Shard {
    struct Entry {
        std::string key;
        Kind kind;
        std::uint32_t failures = 0;
        std::int64_t last_failure = 0;
        std::int64_t locked_until = 0;
    };
    using Lru = std::list<Entry>;  // front: the most recent failure

    mutable std::mutex mutex;
    Lru lru;
    // Keys view Entry::key inside list nodes, which never move.
    std::unordered_map<std::string_view, Lru::iterator> index;
};

LoginThrottle::LoginThrottle(LoginThrottleConfig config, Clock const& clock) : config_(config), clock_(clock) {
    validate(config_.account, "account");
    validate(config_.address, "address");
    if (config_.max_entries == 0) throw std::invalid_argument("login throttle: max_entries must be >= 1");
    config_.shards = std::clamp<std::size_t>(config_.shards, 1, config_.max_entries);
    shard_capacity_ = config_.max_entries / config_.shards;  // total never exceeds max_entries
    shards_ = std::make_unique<Shard[]>(config_.shards);
}

LoginThrottle::~LoginThrottle() = default;

LoginThrottle::Shard& LoginThrottle::shard_for(std::string_view key) const {
    return shards_[std::hash<std::string_view>{}(key) % config_.shards];
}

ThrottlePolicy const& LoginThrottle::policy(Kind kind) const {
    return kind == Kind::account ? config_.account : config_.address;
}

std::optional<std::int64_t> LoginThrottle::locked_for(std::string_view key, std::int64_t now) const {
    Shard& shard = shard_for(key);
    std::lock_guard lock{shard.mutex};
    auto const it = shard.index.find(key);
    if (it == shard.index.end()) return std::nullopt;
    Shard::Entry const& e = *it->second;
    if (now - e.last_failure >= policy(e.kind).quiet_period || now >= e.locked_until) return std::nullopt;
    return e.locked_until - now;
}

std::optional<std::chrono::seconds> LoginThrottle::check(LoginKeys const& keys) const {
    std::int64_t const now = clock_.now();
    std::optional<std::int64_t> wait;
    if (!keys.account.empty()) wait = locked_for(PrefixedKey(kAccountPrefix, keys.account).view(), now);
    if (!keys.address.empty()) {
        std::optional<std::int64_t> const w = locked_for(PrefixedKey(kAddressPrefix, keys.address).view(), now);
        if (w && (!wait || *w > *wait)) wait = w;
    }
    if (!wait) return std::nullopt;
    return std::chrono::seconds(std::max<std::int64_t>(*wait, 1));
}

void LoginThrottle::record_attempt(LoginKeys const& keys) {
    std::int64_t const now = clock_.now();
    if (!keys.account.empty()) fail(Kind::account, PrefixedKey(kAccountPrefix, keys.account).view(), now);
    if (!keys.address.empty()) fail(Kind::address, PrefixedKey(kAddressPrefix, keys.address).view(), now);
}

void LoginThrottle::fail(Kind kind, std::string_view key, std::int64_t now) {
    ThrottlePolicy const& p = policy(kind);
    Shard& shard = shard_for(key);
    std::lock_guard lock{shard.mutex};
    auto it = shard.index.find(key);
    if (it != shard.index.end()) {
        shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    } else {
        for (int i = 0; i < kPrunePerCall && !shard.lru.empty(); ++i) {
            Shard::Entry const& oldest = shard.lru.back();
            if (now - oldest.last_failure < policy(oldest.kind).quiet_period) break;
            shard.index.erase(oldest.key);
            shard.lru.pop_back();
        }
        if (shard.lru.size() >= shard_capacity_) {
            shard.index.erase(shard.lru.back().key);
            shard.lru.pop_back();
            evictions_.fetch_add(1, std::memory_order_relaxed);
        }
        shard.lru.push_front(Shard::Entry{std::string(key), kind, 0, now, 0});
        it = shard.index.emplace(shard.lru.front().key, shard.lru.begin()).first;
    }
    Shard::Entry& e = *it->second;
    if (now - e.last_failure >= p.quiet_period) {
        e.failures = 0;
        e.locked_until = 0;
    }
    // A failure recorded during a lockout (a verification already in flight when it began) counts
    // too: it was a real guess.
    if (e.failures < std::numeric_limits<std::uint32_t>::max()) ++e.failures;
    e.last_failure = now;
    if (e.failures >= p.free_failures) {
        e.locked_until = std::max(e.locked_until, now + lockout_seconds(p, e.failures));
    }
}

void LoginThrottle::record_success(LoginKeys const& keys) {
    if (!keys.account.empty()) {
        PrefixedKey const k(kAccountPrefix, keys.account);
        Shard& shard = shard_for(k.view());
        std::lock_guard lock{shard.mutex};
        if (auto const it = shard.index.find(k.view()); it != shard.index.end()) {
            auto const node = it->second;
            shard.index.erase(it);
            shard.lru.erase(node);
        }
    }
    if (!keys.address.empty()) {
        PrefixedKey const k(kAddressPrefix, keys.address);
        Shard& shard = shard_for(k.view());
        std::lock_guard lock{shard.mutex};
        if (auto const it = shard.index.find(k.view()); it != shard.index.end()) {
            Shard::Entry& e = *it->second;
            if (e.failures > 0) --e.failures;
            if (e.failures < config_.address.free_failures) e.locked_until = 0;  // the lock was this attempt's
        }
    }
}

std::size_t LoginThrottle::size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < config_.shards; ++i) {
        std::lock_guard lock{shards_[i].mutex};
        n += shards_[i].lru.size();
    }
    return n;
}

}  // namespace wx::auth
