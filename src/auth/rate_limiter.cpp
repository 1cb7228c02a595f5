#include "auth/rate_limiter.hpp"

#include <algorithm>

namespace wx::auth {

Task<std::optional<std::chrono::seconds>> RateLimiter::admit(std::string_view client_address) {
    if (policy_.limit <= 0 || client_address.empty()) co_return std::nullopt;
    std::string key = kind_ + ":" + std::string{client_address.substr(0, 64)};
    store::WindowCount counted = co_await counter_.hit(std::move(key), policy_.window_seconds, clock_.now());
    if (counted.count <= policy_.limit) co_return std::nullopt;
    refused_.fetch_add(1, std::memory_order_relaxed);
    co_return std::chrono::seconds{std::max<std::int64_t>(counted.resets_in, 1)};
}

}  // namespace wx::auth
