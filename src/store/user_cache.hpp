#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/task.hpp"
#include "store/errors.hpp"
#include "store/model.hpp"

namespace wx::store {

// A user as authenticated requests need it: the record and its API JSON, rendered once.
struct CachedUser {
    User user;
    std::string json;
};
using CachedUserPtr = std::shared_ptr<CachedUser const>;

// Lookups since the start, for /metrics: answered from this process, from the shared cache
// (Redis), or loaded from the database.
struct UserCacheStats {
    std::uint64_t hits = 0;
    std::uint64_t shared_hits = 0;
    std::uint64_t misses = 0;
};

// Users by id for authenticated requests, so that one costs no database round trip. Entries live
// for a bounded time (TTL), so that a change this instance never heard of is seen eventually,
// and are dropped at once by invalidate().
//
// Failure mode: a miss, an expired entry or an unreachable shared cache falls through to the
// database; only a database failure is an error.
// Thread safety: all member functions may be called concurrently.
class UserCache {
public:
    virtual ~UserCache() = default;

    // The user; Errc::not_found when it is deleted, or the database's error.
    virtual Task<result<CachedUserPtr>> get(std::int64_t id) = 0;
    // After this instance changed the user: the fresh record replaces the cached one here and,
    // for a shared implementation, every other instance drops its copy. Answers the new entry.
    virtual Task<CachedUserPtr> put(User user) = 0;
    // The user changed elsewhere: drop this instance's copy; the next get() loads it.
    virtual Task<void> invalidate(std::int64_t id) = 0;
    // Counted under the locks the lookups take anyway: free on the hot path.
    [[nodiscard]] virtual UserCacheStats stats() const = 0;
};

}  // namespace wx::store
