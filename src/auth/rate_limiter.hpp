#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/task.hpp"
#include "store/rate_counter.hpp"

namespace wx::auth {

struct RateLimitPolicy {
    std::int64_t limit = 0;  // requests per window per client address; 0: no limit
    std::int64_t window_seconds = 60;
};

// A per-client-address limit on one kind of request (WeChat login, registration): a fixed window
// counted by a store::RateCounter, in this process or shared by every instance.
// Thread safety: all member functions may be called concurrently.
class RateLimiter {
public:
    // `kind` prefixes the counter keys ("login", "register"), so limits never share counts.
    RateLimiter(std::string kind, RateLimitPolicy policy, store::RateCounter& counter, Clock const& clock)
        : kind_(std::move(kind)), policy_(policy), counter_(counter), clock_(clock) {}

    // Counts the request; nullopt when it is within the limit, else the Retry-After.
    Task<std::optional<std::chrono::seconds>> admit(std::string_view client_address);

    [[nodiscard]] std::string const& kind() const { return kind_; }
    // Requests refused since the start (for /metrics).
    [[nodiscard]] std::uint64_t refused() const { return refused_.load(std::memory_order_relaxed); }

private:
    std::string kind_;
    RateLimitPolicy policy_;
    store::RateCounter& counter_;
    Clock const& clock_;
    std::atomic<std::uint64_t> refused_{0};
};

}  // namespace wx::auth
