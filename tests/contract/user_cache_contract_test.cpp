// The UserCache seam: what RequireAuth and the handlers rely on, for every implementation.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/in_process_user_cache.hpp"
#include "store/redis_user_cache.hpp"
#include "store/sqlite_backend.hpp"
#include "store/wechat_identity_store.hpp"
#include "support/redis_instance.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_app.hpp"

namespace wx::store {
namespace {

using test::run_sync;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::int64_t kTtl = 300;

std::string render(User const& u) { return "user " + std::to_string(u.id) + " " + u.nickname; }

struct InProcessCache {
    static constexpr char const* kName = "InProcess";
    InProcessCache(UserStore& users, Clock const& clock) : cache(users, &render, clock, UserCacheConfig{kTtl, 1000}) {}
    UserCache& get() { return cache; }
    InProcessUserCache cache;
};

// L1 in this process, L2 in a real redis-server of its own.
struct RedisCache {
    static constexpr char const* kName = "Redis";
    RedisCache(UserStore& users, Clock const& clock)
        : cache(users, &render, clock, RedisUserCacheConfig{kTtl, 30, 1000}, redis.client, redis.feed) {}
    UserCache& get() { return cache; }
    test::RedisServer server;
    test::RedisInstance redis{server};
    RedisUserCache cache;
};

struct Names {
    template <class T>
    static std::string GetName(int) {
        return T::kName;
    }
};

template <class Impl>
class UserCacheContract : public ::testing::Test {
protected:
    UserCacheContract() {
        test::init_test_process();
        auto opened = SqliteBackend::open(path(), pool_, clock_);
        EXPECT_TRUE(opened);
        backend_ = std::move(*opened);
        EXPECT_TRUE(backend_->migrate());
        accounts_ = std::make_unique<UserStore>(*backend_);
        impl_ = std::make_unique<Impl>(*accounts_, clock_);
    }

    std::int64_t new_user() {
        WeChatIdentityStore identities{*backend_};
        WeChatLogin l;
        l.identity = WeChatIdentity{"wxapp", "o-" + std::to_string(++users_made_), std::nullopt};
        l.session.id = "s-" + std::to_string(users_made_);
        l.session.refresh_hash = {static_cast<unsigned char>(users_made_)};
        l.now = kNow;
        auto r = run_sync(identities.login(std::move(l)));
        EXPECT_TRUE(r);
        return r ? r->user.id : 0;
    }
    // A change made behind the cache's back (another instance, an operator).
    void rename_in_database(std::int64_t id, std::string const& nickname) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
        std::string sql = "UPDATE users SET nickname = '" + nickname + "' WHERE id = " + std::to_string(id);
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }
    std::string json_of(std::int64_t id) {
        auto got = run_sync(cache().get(id));
        EXPECT_TRUE(got) << got.error().message();
        return got ? (*got)->json : "";
    }
    UserCache& cache() { return impl_->get(); }
    [[nodiscard]] std::string path() const { return (dir_.path() / "cache.db").string(); }

    test::TempDir dir_{"wxlogin-cache"};
    TestClock clock_{kNow};
    BlockingPool pool_{"cache", 2, 64};
    std::unique_ptr<SqliteBackend> backend_;
    std::unique_ptr<UserStore> accounts_;
    std::unique_ptr<Impl> impl_;
    int users_made_ = 0;
};

using Caches = ::testing::Types<InProcessCache, RedisCache>;
TYPED_TEST_SUITE(UserCacheContract, Caches, Names);

TYPED_TEST(UserCacheContract, LoadsOnAMissThenServesTheRenderedEntry) {
    auto id = this->new_user();
    EXPECT_EQ(this->json_of(id), "user " + std::to_string(id) + " ");
    this->rename_in_database(id, "behind");
    EXPECT_EQ(this->json_of(id), "user " + std::to_string(id) + " ") << "served from the cache";
}

TYPED_TEST(UserCacheContract, AnUnknownUserIsNotFound) {
    auto got = run_sync(this->cache().get(424242));
    ASSERT_FALSE(got);
    EXPECT_EQ(got.error(), Errc::not_found);
}

TYPED_TEST(UserCacheContract, PutReplacesAndInvalidateDrops) {
    auto id = this->new_user();
    (void)this->json_of(id);
    auto found = run_sync(this->accounts_->find(id));
    ASSERT_TRUE(found);
    found->nickname = "fresh";
    auto entry = run_sync(this->cache().put(*found));
    EXPECT_EQ(entry->json, "user " + std::to_string(id) + " fresh");
    EXPECT_EQ(this->json_of(id), "user " + std::to_string(id) + " fresh");

    this->rename_in_database(id, "elsewhere");
    run_sync(this->cache().invalidate(id));
    EXPECT_EQ(this->json_of(id), "user " + std::to_string(id) + " elsewhere");
}

TYPED_TEST(UserCacheContract, EntriesExpireAfterTheirTtl) {
    auto id = this->new_user();
    (void)this->json_of(id);
    this->rename_in_database(id, "later");
    this->clock_.advance(kTtl - kTtl / 10 - 1);
    EXPECT_EQ(this->json_of(id), "user " + std::to_string(id) + " ") << "still within every user's TTL";
    this->clock_.advance(kTtl / 10 + 1);
    EXPECT_EQ(this->json_of(id), "user " + std::to_string(id) + " later") << "past the TTL: loaded again";
}

}  // namespace
}  // namespace wx::store
