#include "store/redis_user_cache.hpp"

#include <algorithm>
#include <boost/json.hpp>
#include <charconv>
#include <random>

namespace wx::store {
namespace {

namespace json = boost::json;

// KEYS user, gen; ARGV the generation read before the load ('' for none), the value, its PX.
// Writes the loaded copy only if no put or invalidate came in between.
constexpr char const* kFill = R"lua(
local g = redis.call('GET', KEYS[2]) or ''
if g ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
return 1
)lua";

// KEYS user, gen; ARGV the value, its PX, the generation's PX. put(): a new generation, the fresh copy.
constexpr char const* kReplace = R"lua(
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1
)lua";

// KEYS user, gen; ARGV the generation's PX. invalidate(): a new generation, no copy.
constexpr char const* kDrop = R"lua(
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[1])
return 1
)lua";

json::value optional_string(std::optional<std::string> const& s) {
    if (!s) return nullptr;
    return json::value(*s);
}

std::optional<std::string> read_optional(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v || v->is_null()) return std::nullopt;
    if (auto const* s = v->if_string()) return std::string{*s};
    return std::nullopt;
}

std::string read_string(json::object const& o, std::string_view key) { return read_optional(o, key).value_or(""); }

std::int64_t read_int(json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v) return 0;
    if (auto const* i = v->if_int64()) return *i;
    if (auto const* u = v->if_uint64()) return static_cast<std::int64_t>(*u);
    return 0;
}

}  // namespace

std::string encode_cached_user(User const* user, std::int64_t expires_at) {
    json::object out;
    out["exp"] = expires_at;
    if (!user) {
        out["missing"] = true;
        return json::serialize(out);
    }
    json::object u;
    u["id"] = user->id;
    u["username"] = optional_string(user->username);
    u["email"] = optional_string(user->email);
    u["nickname"] = user->nickname;
    u["avatar_url"] = user->avatar_url;
    u["phone"] = optional_string(user->phone);
    u["role"] = user->role;
    u["disabled"] = user->disabled;
    u["created_at"] = user->created_at;
    if (user->wechat) {
        json::object w;
        w["app_id"] = user->wechat->app_id;
        w["openid"] = user->wechat->openid;
        w["unionid"] = optional_string(user->wechat->unionid);
        u["wechat"] = std::move(w);
    } else {
        u["wechat"] = nullptr;
    }
    out["user"] = std::move(u);
    return json::serialize(out);
}

std::optional<DecodedCachedUser> decode_cached_user(std::string_view value) {
    error_code ec;
    json::value parsed = json::parse(value, ec);
    if (ec || !parsed.is_object()) return std::nullopt;
    auto const& o = parsed.as_object();
    DecodedCachedUser out;
    out.expires_at = read_int(o, "exp");
    if (auto const* missing = o.if_contains("missing"); missing && missing->is_bool() && missing->as_bool()) return out;
    auto const* u = o.if_contains("user");
    if (!u || !u->is_object()) return std::nullopt;
    auto const& uo = u->as_object();
    User user;
    user.id = read_int(uo, "id");
    user.username = read_optional(uo, "username");
    user.email = read_optional(uo, "email");
    user.nickname = read_string(uo, "nickname");
    user.avatar_url = read_string(uo, "avatar_url");
    user.phone = read_optional(uo, "phone");
    user.role = read_string(uo, "role");
    auto const* disabled = uo.if_contains("disabled");
    if (!disabled || !disabled->is_bool()) return std::nullopt;  // never guess this one
    user.disabled = disabled->as_bool();
    user.created_at = read_int(uo, "created_at");
    if (auto const* w = uo.if_contains("wechat"); w && w->is_object()) {
        auto const& wo = w->as_object();
        user.wechat =
            WeChatIdentity{read_string(wo, "app_id"), read_string(wo, "openid"), read_optional(wo, "unionid")};
    }
    if (user.id <= 0 || user.role.empty()) return std::nullopt;
    out.user = std::move(user);
    return out;
}

RedisUserCache::RedisUserCache(UserStore& users,
                               Renderer render,
                               Clock const& clock,
                               RedisUserCacheConfig config,
                               RedisClient& redis,
                               RedisFeed& feed)
    : users_(users),
      render_(render),
      clock_(clock),
      config_(config),
      redis_(redis),
      feed_(feed),
      max_per_shard_(std::max<std::size_t>(1, config.max_entries / kShards)),
      fill_(kFill),
      replace_(kReplace),
      drop_(kDrop),
      subscription_(feed.listen(
          kUserChannel,
          RedisFeed::Listener{[this](std::string_view body) { on_message(body); }, [this] { forget_all_local(); }})) {}

void RedisUserCache::on_message(std::string_view body) {
    std::int64_t id = 0;
    auto [p, ec] = std::from_chars(body.data(), body.data() + body.size(), id);
    if (ec == std::errc{} && p == body.data() + body.size()) forget_local(id);
}

CachedUserPtr RedisUserCache::make_entry(User user) const {
    std::string json = render_(user);
    return std::make_shared<CachedUser const>(CachedUser{std::move(user), std::move(json)});
}

std::int64_t RedisUserCache::ttl_with_jitter() const {
    std::int64_t const spread = config_.ttl_seconds / 10;
    if (spread <= 0) return config_.ttl_seconds;
    thread_local std::minstd_rand random{std::random_device{}()};
    std::uniform_int_distribution<std::int64_t> jitter(0, spread - 1);
    return config_.ttl_seconds - jitter(random);
}

std::string RedisUserCache::user_key(std::int64_t id) const { return redis_.key("user:" + std::to_string(id)); }
std::string RedisUserCache::gen_key(std::int64_t id) const { return redis_.key("user:" + std::to_string(id) + ":gen"); }

void RedisUserCache::insert(Shard& s, std::int64_t id, CachedUserPtr entry, std::int64_t expires_at) {
    if (auto it = s.users.find(id); it != s.users.end()) {
        it->second.entry = std::move(entry);
        it->second.expires_at = expires_at;
        s.lru.splice(s.lru.begin(), s.lru, it->second.lru);
        return;
    }
    if (s.users.size() >= max_per_shard_) {
        s.users.erase(s.lru.back());
        s.lru.pop_back();
    }
    s.lru.push_front(id);
    s.users.emplace(id, Slot{std::move(entry), expires_at, s.lru.begin()});
}

void RedisUserCache::forget_local(std::int64_t id) {
    auto& s = shard(id);
    std::lock_guard lock{s.mutex};
    ++s.epoch;
    if (auto it = s.users.find(id); it != s.users.end()) {
        s.lru.erase(it->second.lru);
        s.users.erase(it);
    }
}

void RedisUserCache::forget_all_local() {
    for (auto& s : shards_) {
        std::lock_guard lock{s.mutex};
        ++s.epoch;
        s.users.clear();
        s.lru.clear();
    }
}

std::size_t RedisUserCache::local_size() const {
    std::size_t n = 0;
    for (auto const& s : shards_) {
        std::lock_guard lock{s.mutex};
        n += s.users.size();
    }
    return n;
}

Task<result<CachedUserPtr>> RedisUserCache::get(std::int64_t id) {
    auto& s = shard(id);
    std::uint64_t epoch = 0;
    {
        std::lock_guard lock{s.mutex};
        if (auto it = s.users.find(id); it != s.users.end() && clock_.now() < it->second.expires_at) {
            s.lru.splice(s.lru.begin(), s.lru, it->second.lru);
            ++s.counts.hits;
            if (!it->second.entry) co_return error_code{Errc::not_found};
            co_return it->second.entry;
        }
        epoch = s.epoch;
    }

    std::optional<std::string> generation;  // set when Redis answered: then the load fills L2
    std::vector<std::string> mget{"MGET", user_key(id), gen_key(id)};
    auto l2 = co_await redis_.command(std::move(mget));
    if (l2 && l2->is_array() && l2->elements.size() == 2) {
        auto const& value = l2->elements[0];
        if (value.is_string()) {
            auto decoded = decode_cached_user(value.str);
            if (decoded && clock_.now() < decoded->expires_at) {
                CachedUserPtr entry = decoded->user ? make_entry(std::move(*decoded->user)) : nullptr;
                std::lock_guard lock{s.mutex};
                ++s.counts.shared_hits;
                if (s.epoch == epoch) insert(s, id, entry, decoded->expires_at);
                if (!entry) co_return error_code{Errc::not_found};
                co_return entry;
            }
        }
        generation = l2->elements[1].is_string() ? l2->elements[1].str : std::string{};
    }

    auto loaded = co_await users_.find(id);
    if (!loaded && loaded.error() != Errc::not_found) co_return loaded.error();
    CachedUserPtr entry = loaded ? make_entry(std::move(*loaded)) : nullptr;
    std::int64_t const ttl = entry ? ttl_with_jitter() : config_.negative_ttl_seconds;
    std::int64_t const expires_at = clock_.now() + ttl;
    if (generation) {
        std::vector<std::string> keys{user_key(id), gen_key(id)};
        std::vector<std::string> args{std::move(*generation),
                                      encode_cached_user(entry ? &entry->user : nullptr, expires_at),
                                      std::to_string(ttl * 1000)};
        (void)co_await redis_.eval(fill_, std::move(keys), std::move(args));
    }
    std::lock_guard lock{s.mutex};
    ++s.counts.misses;
    if (s.epoch == epoch) insert(s, id, entry, expires_at);
    if (!entry) co_return error_code{Errc::not_found};
    co_return entry;
}

UserCacheStats RedisUserCache::stats() const {
    UserCacheStats total;
    for (auto const& s : shards_) {
        std::lock_guard lock{s.mutex};
        total.hits += s.counts.hits;
        total.shared_hits += s.counts.shared_hits;
        total.misses += s.counts.misses;
    }
    return total;
}

Task<CachedUserPtr> RedisUserCache::put(User user) {
    std::int64_t const id = user.id;
    CachedUserPtr entry = make_entry(std::move(user));
    std::int64_t const ttl = ttl_with_jitter();
    std::int64_t const expires_at = clock_.now() + ttl;
    {
        auto& s = shard(id);
        std::lock_guard lock{s.mutex};
        ++s.epoch;
        insert(s, id, entry, expires_at);
    }
    std::int64_t const gen_ttl = 2 * std::max<std::int64_t>({config_.ttl_seconds, config_.negative_ttl_seconds, 60});
    std::vector<std::string> keys{user_key(id), gen_key(id)};
    std::vector<std::string> args{encode_cached_user(&entry->user, expires_at), std::to_string(ttl * 1000),
                                  std::to_string(gen_ttl * 1000)};
    auto replaced = co_await redis_.eval(replace_, std::move(keys), std::move(args));
    // Only after L2 holds the fresh copy: the others drop theirs and read it there.
    if (replaced) (void)co_await feed_.publish(kUserChannel, std::to_string(id));
    co_return entry;
}

Task<void> RedisUserCache::invalidate(std::int64_t id) {
    forget_local(id);
    std::int64_t const gen_ttl = 2 * std::max<std::int64_t>({config_.ttl_seconds, config_.negative_ttl_seconds, 60});
    std::vector<std::string> keys{user_key(id), gen_key(id)};
    std::vector<std::string> args{std::to_string(gen_ttl * 1000)};
    (void)co_await redis_.eval(drop_, std::move(keys), std::move(args));
}

}  // namespace wx::store
