#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/task.hpp"
#include "store/database.hpp"

namespace wx::api {

// Users by id, served from memory so that an authenticated request costs no database round
// trip; a miss loads from the database once. Writers put() the fresh record after a change.
// Thread safety: all member functions may be called concurrently (sharded locks).
class UserDirectory {
public:
    // A user with its API.md JSON rendered once, so /users/me only copies a string.
    struct Entry {
        store::User user;
        std::string json;
    };
    using UserPtr = std::shared_ptr<Entry const>;
    UserDirectory(store::Database& db, std::size_t max_entries = 1 << 20)
        : db_(db), max_per_shard_(max_entries / kShards) {}

    // The user, store::Errc::not_found for a deleted one, or a database error.
    Task<result<UserPtr>> get(std::int64_t id);
    // Replaces the cached record with a fresh one and returns it.
    UserPtr put(store::User user);

private:
    static UserPtr make_entry(store::User user);
    static constexpr std::size_t kShards = 16;
    struct Shard {
        std::mutex mutex;
        std::unordered_map<std::int64_t, UserPtr> users;
    };
    Shard& shard(std::int64_t id) { return shards_[static_cast<std::size_t>(id) % kShards]; }

    store::Database& db_;
    std::size_t max_per_shard_;
    std::array<Shard, kShards> shards_;
};

}  // namespace wx::api
