#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace wx::auth {

// The in-memory copy of revoked login sessions: what lets every authenticated request check
// revocation without a database round trip. An id is kept until the last access token of its
// session expires (after that the token's own `exp` rejects it), so the list holds only the
// sessions revoked within one access-token lifetime. The database stays the record: the list is
// rebuilt from it at start.
// Thread safety: all member functions may be called concurrently (sharded locks).
class RevokedSessions {
public:
    explicit RevokedSessions(Clock const& clock) : clock_(clock) {}
    RevokedSessions(RevokedSessions const&) = delete;
    RevokedSessions& operator=(RevokedSessions const&) = delete;

    // Marks the session revoked until `until` (unix seconds); a later `until` extends it.
    void revoke(std::string_view session_id, std::int64_t until);
    // The per-request check.
    [[nodiscard]] bool contains(std::string_view session_id) const;
    [[nodiscard]] std::size_t size() const { return count_.load(std::memory_order_acquire); }

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::string, std::int64_t, Hash, std::equal_to<>> until;
        std::size_t purge_at = kFirstPurge;
    };
    static constexpr std::size_t kShards = 16;
    static constexpr std::size_t kFirstPurge = 64;
    Shard& shard_of(std::size_t hash) { return shards_[hash % kShards]; }
    Shard const& shard_of(std::size_t hash) const { return shards_[hash % kShards]; }
    // Drops the shard's expired ids; called when the shard has doubled since the last purge, so
    // the cost is amortised O(1) per revoke and memory stays proportional to live revocations.
    void purge(Shard& s, std::int64_t now);

    Clock const& clock_;
    std::array<Shard, kShards> shards_;
    std::atomic<std::size_t> count_{0};  // lets the common case (nothing revoked) skip the lock
};

}  // namespace wx::auth
