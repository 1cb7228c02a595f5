#pragma once

#include <array>
#include <cstdint>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "core/clock.hpp"
#include "store/redis_client.hpp"
#include "store/redis_feed.hpp"
#include "store/user_cache.hpp"
#include "store/user_store.hpp"

namespace wx::store {

struct RedisUserCacheConfig {
    // How long an entry is believed without hearing of a change, in Redis and in this process.
    // Each entry expires at a random point of the last tenth, so a burst of logins does not
    // expire at once.
    std::int64_t ttl_seconds = 300;
    // How long "no such user" is believed (a token of a deleted user keeps asking).
    std::int64_t negative_ttl_seconds = 30;
    // Entries kept in this process (least recently used first out).
    std::size_t max_entries = 1 << 16;
};

// The UserCache of an instance among several, in two levels: an LRU in this process (L1) in front
// of Redis (L2: "user:ID" under the prefix, the user record as JSON with its expiry, or a negative
// entry for an unknown id), loaded from the UserStore on a miss of both.
//   put()        this instance changed the user: L1 and L2 get the fresh record, and every other
//                instance is told on the feed to drop its L1 copy (it then reads L2).
//   invalidate() the user changed elsewhere (the change-log poller): drops L1 and L2, without
//                publishing, so that a change whose author could not reach Redis is not served
//                stale from L2 either.
//   the feed     another instance's put(): drops L1 only; after each (re)subscription, when
//                messages may have been missed, the whole L1 goes.
// A per-user generation ("user:ID:gen", bumped by put and invalidate) keeps a load that read the
// database before a change from writing its stale copy into L2 after it (the fill is a script
// that compares the generation read before the load); in this process an epoch does the same.
//
// Failure mode: a miss, an expired entry or an unreachable Redis falls through to the database;
// only a database failure is an error.
// Thread safety: all member functions may be called concurrently (sharded locks).
class RedisUserCache final : public UserCache {
public:
    using Renderer = std::string (*)(User const&);

    RedisUserCache(UserStore& users,
                   Renderer render,
                   Clock const& clock,
                   RedisUserCacheConfig config,
                   RedisClient& redis,
                   RedisFeed& feed);

    Task<result<CachedUserPtr>> get(std::int64_t id) override;
    Task<CachedUserPtr> put(User user) override;
    Task<void> invalidate(std::int64_t id) override;
    [[nodiscard]] UserCacheStats stats() const override;

    // Entries held in this process now (for tests and metrics).
    [[nodiscard]] std::size_t local_size() const;

private:
    struct Slot {
        CachedUserPtr entry;  // null: the user does not exist
        std::int64_t expires_at = 0;
        std::list<std::int64_t>::iterator lru;
    };
    struct Shard {
        mutable std::mutex mutex;
        std::unordered_map<std::int64_t, Slot> users;
        std::list<std::int64_t> lru;  // front: the most recently used
        std::uint64_t epoch = 0;      // bumped by every change: a load older than one is not kept
        UserCacheStats counts;
    };
    static constexpr std::size_t kShards = 16;
    Shard& shard(std::int64_t id) { return shards_[static_cast<std::size_t>(id) % kShards]; }

    CachedUserPtr make_entry(User user) const;
    std::int64_t ttl_with_jitter() const;
    void insert(Shard& s, std::int64_t id, CachedUserPtr entry, std::int64_t expires_at);  // holds s.mutex
    void on_message(std::string_view body);  // "ID": another instance changed the user
    void forget_local(std::int64_t id);
    void forget_all_local();
    [[nodiscard]] std::string user_key(std::int64_t id) const;
    [[nodiscard]] std::string gen_key(std::int64_t id) const;

    UserStore& users_;
    Renderer render_;
    Clock const& clock_;
    RedisUserCacheConfig config_;
    RedisClient& redis_;
    RedisFeed& feed_;
    std::size_t max_per_shard_;
    RedisScript const fill_;
    RedisScript const replace_;
    RedisScript const drop_;
    std::array<Shard, kShards> shards_;
    RedisFeed::Subscription subscription_;  // last: stops the feed's calls before the rest goes
};

// The L2 value: {"exp": unix seconds, "user": {...}} or {"exp": ..., "missing": true}. Exposed
// for tests.
[[nodiscard]] std::string encode_cached_user(User const* user, std::int64_t expires_at);
struct DecodedCachedUser {
    std::optional<User> user;  // nullopt: a negative entry
    std::int64_t expires_at = 0;
};
[[nodiscard]] std::optional<DecodedCachedUser> decode_cached_user(std::string_view value);

}  // namespace wx::store
