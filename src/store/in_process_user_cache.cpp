#include "store/in_process_user_cache.hpp"

#include <algorithm>

namespace wx::store {

InProcessUserCache::InProcessUserCache(UserStore& users, Renderer render, Clock const& clock, UserCacheConfig config)
    : users_(users),
      render_(render),
      clock_(clock),
      config_(config),
      max_per_shard_(std::max<std::size_t>(1, config.max_entries / kShards)) {}

CachedUserPtr InProcessUserCache::make_entry(User user) const {
    std::string json = render_(user);
    return std::make_shared<CachedUser const>(CachedUser{std::move(user), std::move(json)});
}

std::int64_t InProcessUserCache::expiry_of(std::int64_t id) const {
    // A fixed spread per user (not random): the same user always gets the same share of the TTL.
    std::int64_t const spread = config_.ttl_seconds / 10;
    std::int64_t const jitter = spread > 0 ? static_cast<std::int64_t>(std::hash<std::int64_t>{}(id) % spread) : 0;
    return clock_.now() + config_.ttl_seconds - jitter;
}

void InProcessUserCache::insert(Shard& s, std::int64_t id, CachedUserPtr entry) {
    if (s.users.size() >= max_per_shard_ && !s.users.contains(id))
        s.users.clear();  // crude bound; a miss only costs one load
    s.users[id] = Slot{std::move(entry), expiry_of(id)};
}

Task<result<CachedUserPtr>> InProcessUserCache::get(std::int64_t id) {
    auto& s = shard(id);
    std::uint64_t epoch = 0;
    {
        std::lock_guard lock{s.mutex};
        if (auto it = s.users.find(id); it != s.users.end() && clock_.now() < it->second.expires_at) {
            ++s.counts.hits;
            co_return it->second.entry;
        }
        ++s.counts.misses;
        epoch = s.epoch;
    }
    auto loaded = co_await users_.find(id);
    if (!loaded) co_return loaded.error();
    auto entry = make_entry(std::move(*loaded));
    std::lock_guard lock{s.mutex};
    if (s.epoch == epoch) insert(s, id, entry);
    co_return entry;
}

Task<CachedUserPtr> InProcessUserCache::put(User user) {
    auto id = user.id;
    auto entry = make_entry(std::move(user));
    auto& s = shard(id);
    std::lock_guard lock{s.mutex};
    ++s.epoch;
    insert(s, id, entry);
    co_return entry;
}

UserCacheStats InProcessUserCache::stats() const {
    UserCacheStats total;
    for (auto const& s : shards_) {
        std::lock_guard lock{s.mutex};
        total.hits += s.counts.hits;
        total.misses += s.counts.misses;
    }
    return total;
}

Task<void> InProcessUserCache::invalidate(std::int64_t id) {
    auto& s = shard(id);
    std::lock_guard lock{s.mutex};
    ++s.epoch;
    s.users.erase(id);
    co_return;
}

}  // namespace wx::store
