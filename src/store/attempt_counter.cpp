#include "store/attempt_counter.hpp"

#include <algorithm>

namespace wx::store {

std::int64_t lockout_seconds(LockoutPolicy const& p, std::uint32_t failures) noexcept {
    if (failures < p.free_failures) return 0;
    std::uint32_t const doublings = failures - p.free_failures;
    std::int64_t d = p.first_lockout;
    for (std::uint32_t i = 0; i < doublings && d < p.max_lockout; ++i) d *= 2;
    return std::min(d, p.max_lockout);
}

}  // namespace wx::store
