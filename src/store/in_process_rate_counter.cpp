#include "store/in_process_rate_counter.hpp"

#include <algorithm>
#include <functional>

namespace wx::store {

Task<WindowCount> InProcessRateCounter::hit(std::string key, std::int64_t window_seconds, std::int64_t now) {
    window_seconds = std::max<std::int64_t>(window_seconds, 1);
    std::int64_t const start = now - now % window_seconds;
    auto& shard = shards_[std::hash<std::string>{}(key) % kShards];
    std::lock_guard lock{shard.mutex};
    if (shard.windows.size() >= max_per_shard_ && !shard.windows.contains(key)) {
        std::erase_if(shard.windows, [now](auto const& w) { return now >= w.second.start + w.second.length; });
        if (shard.windows.size() >= max_per_shard_) shard.windows.clear();
    }
    Window& w = shard.windows[std::move(key)];
    if (w.start != start || w.length != window_seconds) w = Window{start, window_seconds, 0};
    ++w.count;
    co_return WindowCount{w.count, start + window_seconds - now};
}

}  // namespace wx::store
