#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <unordered_map>

#include "core/clock.hpp"
#include "store/user_cache.hpp"
#include "store/user_store.hpp"

namespace wx::store {

struct UserCacheConfig {
    // How long an entry is believed without hearing of a change. Entries of different users
    // expire spread over the last tenth of it, so that a burst of logins does not expire at once.
    std::int64_t ttl_seconds = 300;
    std::size_t max_entries = 1 << 20;
};

// The single-instance UserCache: sharded maps in memory, loaded from the UserStore on a miss.
// Thread safety: all member functions may be called concurrently (sharded locks).
class InProcessUserCache final : public UserCache {
public:
    // Renders the API JSON of a user; given by the API layer, which owns the format.
    using Renderer = std::string (*)(User const&);

    InProcessUserCache(UserStore& users, Renderer render, Clock const& clock, UserCacheConfig config);

    Task<result<CachedUserPtr>> get(std::int64_t id) override;
    Task<CachedUserPtr> put(User user) override;
    Task<void> invalidate(std::int64_t id) override;
    [[nodiscard]] UserCacheStats stats() const override;

private:
    struct Slot {
        CachedUserPtr entry;
        std::int64_t expires_at = 0;
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::int64_t, Slot> users;
        // Bumped by every put and invalidate: a load that started before one must not cache
        // what it read, which may be older than what the change wrote.
        std::uint64_t epoch = 0;
        UserCacheStats counts;
    };
    static constexpr std::size_t kShards = 16;
    Shard& shard(std::int64_t id) { return shards_[static_cast<std::size_t>(id) % kShards]; }
    CachedUserPtr make_entry(User user) const;
    std::int64_t expiry_of(std::int64_t id) const;
    void insert(Shard& s, std::int64_t id, CachedUserPtr entry);  // caller holds s.mutex

    UserStore& users_;
    Renderer render_;
    Clock const& clock_;
    UserCacheConfig config_;
    std::size_t max_per_shard_;
    std::array<Shard, kShards> shards_;
};

}  // namespace wx::store
