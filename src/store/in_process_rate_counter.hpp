#pragma once

#include <array>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

#include "store/rate_counter.hpp"

namespace wx::store {

// The single-instance RateCounter: sharded maps of the current window per key. When a shard is
// full it first drops keys whose window is over, and if that is not enough forgets the shard
// (fail open: a flood of distinct addresses must cost memory nobody, and refuse nobody).
// Thread safety: all member functions may be called concurrently (sharded mutexes).
class InProcessRateCounter final : public RateCounter {
public:
    explicit InProcessRateCounter(std::size_t max_entries = 100'000) : max_per_shard_(max_entries / kShards + 1) {}

    Task<WindowCount> hit(std::string key, std::int64_t window_seconds, std::int64_t now) override;

private:
    struct Window {
        std::int64_t start = 0;
        std::int64_t length = 0;
        std::int64_t count = 0;
    };
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::string, Window> windows;
    };
    static constexpr std::size_t kShards = 16;

    std::size_t max_per_shard_;
    std::array<Shard, kShards> shards_;
};

}  // namespace wx::store
