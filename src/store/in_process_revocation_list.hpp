#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <limits>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"
#include "store/revocation_list.hpp"

namespace wx::store {

// The RevocationList without Redis: revoked session ids in memory, each until the given expiry.
// It holds only the sessions revoked within one access-token lifetime, so it stays small. With a
// vouch window (several instances on one database, the change log the only channel) a session not
// known to be revoked is `unknown` once the last caught-up poll of the log is older than the window;
// without one (one instance: nobody else can revoke) it is `live`.
// Thread safety: all member functions may be called concurrently (sharded locks).
class InProcessRevocationList final : public RevocationList {
public:
    explicit InProcessRevocationList(Clock const& clock, std::chrono::milliseconds vouch_window = {})
        : clock_(clock), vouch_window_(vouch_window) {}
    InProcessRevocationList(InProcessRevocationList const&) = delete;
    InProcessRevocationList& operator=(InProcessRevocationList const&) = delete;

    [[nodiscard]] Status check(std::string_view session_id) const override;
    Task<void> announce(std::vector<RevokedSession> sessions) override;
    void restore(std::vector<RevokedSession> const& sessions) override;
    [[nodiscard]] std::size_t size() const override { return count_.load(std::memory_order_acquire); }
    void database_caught_up(std::chrono::steady_clock::time_point poll_started) override;

    // Marks the session revoked until `until` (unix seconds); a later `until` extends it.
    void revoke(std::string_view session_id, std::int64_t until);
    // Whether a session not known to be revoked is `live` now (always, without a vouch window).
    [[nodiscard]] bool vouched() const;
    // The start of the newest poll reported by database_caught_up(); nullopt before the first.
    [[nodiscard]] std::optional<std::chrono::steady_clock::time_point> last_caught_up() const;

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
    std::chrono::milliseconds vouch_window_;
    std::atomic<std::int64_t> caught_up_{std::numeric_limits<std::int64_t>::min()};  // steady ns
    std::array<Shard, kShards> shards_;
    std::atomic<std::size_t> count_{0};  // lets the common case (nothing revoked) skip the lock
};

}  // namespace wx::store
