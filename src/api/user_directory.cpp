#include "api/user_directory.hpp"

#include <boost/json/serialize.hpp>

#include "api/user_json.hpp"

namespace wx::api {

UserDirectory::UserPtr UserDirectory::make_entry(store::User user) {
    std::string json = boost::json::serialize(user_json(user));
    return std::make_shared<Entry const>(Entry{std::move(user), std::move(json)});
}

Task<result<UserDirectory::UserPtr>> UserDirectory::get(std::int64_t id) {
    {
        auto& s = shard(id);
        std::lock_guard lock{s.mutex};
        if (auto it = s.users.find(id); it != s.users.end()) co_return it->second;
    }
    auto loaded = co_await db_.user_by_id(id);
    if (!loaded) co_return loaded.error();
    auto ptr = make_entry(std::move(*loaded));
    auto& s = shard(id);
    std::lock_guard lock{s.mutex};
    if (s.users.size() >= max_per_shard_) s.users.clear();  // crude bound; a miss only costs one load
    // A writer may have put a fresher record while this load was in flight: keep theirs.
    auto [it, inserted] = s.users.try_emplace(id, ptr);
    co_return it->second;
}

UserDirectory::UserPtr UserDirectory::put(store::User user) {
    auto id = user.id;
    auto ptr = make_entry(std::move(user));
    auto& s = shard(id);
    std::lock_guard lock{s.mutex};
    if (s.users.size() >= max_per_shard_) s.users.clear();
    s.users[id] = ptr;
    return ptr;
}

}  // namespace wx::api
