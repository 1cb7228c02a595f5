#include "api/user_directory.hpp"

namespace wx::api {

Task<result<UserDirectory::UserPtr>> UserDirectory::get(std::int64_t id) {
    {
        auto& s = shard(id);
        std::lock_guard lock{s.mutex};
        if (auto it = s.users.find(id); it != s.users.end()) co_return it->second;
    }
    auto loaded = co_await db_.user_by_id(id);
    if (!loaded) co_return loaded.error();
    auto ptr = std::make_shared<store::User const>(std::move(*loaded));
    auto& s = shard(id);
    std::lock_guard lock{s.mutex};
    if (s.users.size() >= max_per_shard_) s.users.clear();  // crude bound; a miss only costs one load
    s.users[id] = ptr;
    co_return ptr;
}

void UserDirectory::put(store::User user) {
    auto id = user.id;
    auto ptr = std::make_shared<store::User const>(std::move(user));
    auto& s = shard(id);
    std::lock_guard lock{s.mutex};
    if (s.users.size() >= max_per_shard_) s.users.clear();
    s.users[id] = std::move(ptr);
}

void UserDirectory::forget(std::int64_t id) {
    auto& s = shard(id);
    std::lock_guard lock{s.mutex};
    s.users.erase(id);
}

}  // namespace wx::api
