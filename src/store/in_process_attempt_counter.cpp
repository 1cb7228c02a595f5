#include "store/in_process_attempt_counter.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <list>
#include <mutex>
#include <stdexcept>
#include <string_view>
#include <unordered_map>

namespace wx::store {
namespace {

// Expired entries dropped from a shard's tail per recorded failure: keeps each call O(1).
constexpr int kPrunePerCall = 2;

}  // namespace

struct InProcessAttemptCounter::Shard {
    struct Entry {
        std::string key;
        std::int64_t quiet_period = 0;
        std::uint32_t failures = 0;
        std::int64_t last_failure = 0;
        std::int64_t locked_until = 0;

        // Seconds still locked at `now` (0 when not locked or forgotten after the quiet period).
        [[nodiscard]] std::int64_t locked_at(std::int64_t now, LockoutPolicy const& policy) const {
            if (now - last_failure >= policy.quiet_period || now >= locked_until) return 0;
            return locked_until - now;
        }
    };
    using Lru = std::list<Entry>;  // front: the most recent failure

    mutable std::mutex mutex;
    Lru lru;
    // Keys view Entry::key inside list nodes, which never move.
    std::unordered_map<std::string_view, Lru::iterator> index;
};

InProcessAttemptCounter::InProcessAttemptCounter(AttemptCounterConfig config) : config_(config) {
    if (config_.max_entries == 0) throw std::invalid_argument("attempt counter: max_entries must be >= 1");
    config_.shards = std::clamp<std::size_t>(config_.shards, 1, config_.max_entries);
    shard_capacity_ = config_.max_entries / config_.shards;  // total never exceeds max_entries
    shards_ = std::make_unique<Shard[]>(config_.shards);
}

InProcessAttemptCounter::~InProcessAttemptCounter() = default;

InProcessAttemptCounter::Shard& InProcessAttemptCounter::shard_for(std::string_view key) const {
    return shards_[std::hash<std::string_view>{}(key) % config_.shards];
}

Task<std::int64_t> InProcessAttemptCounter::locked_for(std::string key, LockoutPolicy policy, std::int64_t now) {
    Shard& shard = shard_for(key);
    std::lock_guard lock{shard.mutex};
    auto const it = shard.index.find(key);
    if (it == shard.index.end()) co_return 0;
    co_return it->second->locked_at(now, policy);
}

Task<std::int64_t> InProcessAttemptCounter::charge(std::string key, LockoutPolicy policy, std::int64_t now) {
    Shard& shard = shard_for(key);
    std::lock_guard lock{shard.mutex};
    auto it = shard.index.find(key);
    if (it != shard.index.end()) {
        if (std::int64_t const locked = it->second->locked_at(now, policy); locked > 0) co_return locked;
        shard.lru.splice(shard.lru.begin(), shard.lru, it->second);
    } else {
        for (int i = 0; i < kPrunePerCall && !shard.lru.empty(); ++i) {
            Shard::Entry const& oldest = shard.lru.back();
            if (now - oldest.last_failure < oldest.quiet_period) break;
            shard.index.erase(oldest.key);
            shard.lru.pop_back();
        }
        if (shard.lru.size() >= shard_capacity_) {
            shard.index.erase(shard.lru.back().key);
            shard.lru.pop_back();
            evictions_.fetch_add(1, std::memory_order_relaxed);
        }
        shard.lru.push_front(Shard::Entry{std::move(key), policy.quiet_period, 0, now, 0});
        it = shard.index.emplace(shard.lru.front().key, shard.lru.begin()).first;
    }
    Shard::Entry& e = *it->second;
    e.quiet_period = policy.quiet_period;
    if (now - e.last_failure >= policy.quiet_period) {
        e.failures = 0;
        e.locked_until = 0;
    }
    if (e.failures < std::numeric_limits<std::uint32_t>::max()) ++e.failures;
    e.last_failure = now;
    if (e.failures >= policy.free_failures)
        e.locked_until = std::max(e.locked_until, now + lockout_seconds(policy, e.failures));
    co_return 0;
}

Task<void> InProcessAttemptCounter::take_back(std::string key, LockoutPolicy policy) {
    Shard& shard = shard_for(key);
    std::lock_guard lock{shard.mutex};
    if (auto const it = shard.index.find(key); it != shard.index.end()) {
        Shard::Entry& e = *it->second;
        if (e.failures > 0) --e.failures;
        if (e.failures < policy.free_failures) e.locked_until = 0;  // the lock was this attempt's
    }
    co_return;
}

Task<void> InProcessAttemptCounter::clear(std::string key) {
    Shard& shard = shard_for(key);
    std::lock_guard lock{shard.mutex};
    if (auto const it = shard.index.find(key); it != shard.index.end()) {
        auto const node = it->second;
        shard.index.erase(it);
        shard.lru.erase(node);
    }
    co_return;
}

std::size_t InProcessAttemptCounter::size() const {
    std::size_t n = 0;
    for (std::size_t i = 0; i < config_.shards; ++i) {
        std::lock_guard lock{shards_[i].mutex};
        n += shards_[i].lru.size();
    }
    return n;
}

}  // namespace wx::store
