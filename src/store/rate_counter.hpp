#pragma once

#include <cstdint>
#include <string>

#include "core/task.hpp"

namespace wx::store {

// Requests counted in the current fixed window of a key.
struct WindowCount {
    std::int64_t count = 0;      // including the request just counted
    std::int64_t resets_in = 0;  // seconds until the window ends (at least 1)
};

// Requests per key in fixed windows: the storage behind per-client-address rate limits. Keys are
// opaque (the caller prefixes their kinds).
//
// Failure mode: fails open. A shared implementation that cannot reach its store counts in this
// instance alone; a bounded table forgets keys rather than refusing requests.
// Thread safety: all member functions may be called concurrently.
class RateCounter {
public:
    virtual ~RateCounter() = default;
    // Counts one request of `key` in the window of `window_seconds` that contains `now`.
    virtual Task<WindowCount> hit(std::string key, std::int64_t window_seconds, std::int64_t now) = 0;
};

}  // namespace wx::store
