#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "store/attempt_counter.hpp"

namespace wx::store {

struct AttemptCounterConfig {
    // Bound on tracked keys (about 200 bytes each), split evenly over the shards. When a shard is
    // full the key whose last failure is oldest is evicted: eviction only ever forgets failures,
    // so under a flood of distinct keys the protection fails open rather than refusing logins.
    std::size_t max_entries = 100'000;
    std::size_t shards = 16;
};

// The single-instance AttemptCounter: per-shard LRU lists in memory, O(1) (amortised) per call.
// Thread safety: all member functions may be called concurrently (sharded mutexes).
class InProcessAttemptCounter final : public AttemptCounter {
public:
    explicit InProcessAttemptCounter(AttemptCounterConfig config = {});
    InProcessAttemptCounter(InProcessAttemptCounter const&) = delete;
    InProcessAttemptCounter& operator=(InProcessAttemptCounter const&) = delete;
    ~InProcessAttemptCounter() override;

    Task<std::int64_t> locked_for(std::string key, LockoutPolicy policy, std::int64_t now) override;
    Task<std::int64_t> charge(std::string key, LockoutPolicy policy, std::int64_t now) override;
    Task<void> take_back(std::string key, LockoutPolicy policy) override;
    Task<void> clear(std::string key) override;

    [[nodiscard]] std::size_t size() const;  // keys tracked now
    [[nodiscard]] std::uint64_t evictions() const { return evictions_.load(std::memory_order_relaxed); }

private:
    struct Shard;
    [[nodiscard]] Shard& shard_for(std::string_view key) const;

    AttemptCounterConfig config_;
    std::size_t shard_capacity_;
    std::unique_ptr<Shard[]> shards_;
    std::atomic<std::uint64_t> evictions_{0};
};

}  // namespace wx::store
