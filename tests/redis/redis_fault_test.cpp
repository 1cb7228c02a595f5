// Each Redis-backed seam with Redis stopped mid-run (its stated failure mode) and restarted empty
// (it recovers by itself, with the same objects), against a real redis-server.
#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "store/redis_access_token_store.hpp"
#include "store/redis_attempt_counter.hpp"
#include "store/redis_revocation_list.hpp"
#include "store/redis_user_cache.hpp"
#include "support/redis_instance.hpp"
#include "support/run_sync.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"
#include "user_database.hpp"

namespace wx::store {
namespace {

using test::run_sync;
using test::wait_until;
using Status = RevocationList::Status;

constexpr std::int64_t kNow = 1'800'000'000;

class RedisFault : public ::testing::Test {
protected:
    void SetUp() override { test::init_test_process(); }

    // Waits until the instance's client reaches Redis again (its retry pause has passed).
    ::testing::AssertionResult redis_back(test::RedisInstance& instance) {
        return wait_until("the client reaches Redis", [&] { return run_sync(instance.client.ping()); });
    }

    TestClock clock_{kNow};
    test::RedisServer server_;
};

// --- AttemptCounter: fails open, counting in this instance alone ---

class RedisCounterFault : public RedisFault {
protected:
    std::int64_t locked(std::string const& key) { return run_sync(counter_.locked_for(key, policy_, kNow)); }
    void fail(std::string const& key, int times) {
        for (int i = 0; i < times; ++i) ASSERT_EQ(run_sync(counter_.charge(key, policy_, kNow)), 0) << key << " " << i;
    }

    LockoutPolicy const policy_{.free_failures = 3, .first_lockout = 2, .max_lockout = 16, .quiet_period = 100};
    test::RedisInstance redis_{server_};
    RedisAttemptCounter counter_{redis_.client};
};

TEST_F(RedisCounterFault, WhileRedisIsUpFailuresLiveThereAndExpireAfterTheQuietPeriod) {
    fail("k", 3);
    EXPECT_EQ(locked("k"), 2);
    EXPECT_EQ(counter_.fallback().size(), 0u) << "nothing counted locally";
    EXPECT_EQ(server_.command({"HGET", "wxlogin:attempts:k", "n"}).str, "3");
    auto const ttl = server_.command({"TTL", "wxlogin:attempts:k"}).integer;
    EXPECT_GT(ttl, 0);
    EXPECT_LE(ttl, policy_.quiet_period);
}

TEST_F(RedisCounterFault, WhileRedisIsDownLimitsStillHoldPerInstanceAndRedisIsUsedAgainAfter) {
    server_.stop();
    fail("k", 3);
    EXPECT_EQ(locked("k"), 2) << "counted locally: the limit still works";
    EXPECT_EQ(counter_.fallback().size(), 1u);
    run_sync(counter_.take_back("k", policy_));
    EXPECT_EQ(locked("k"), 0);
    fail("k", 1);
    EXPECT_EQ(locked("k"), 2);

    server_.start();  // empty
    ASSERT_TRUE(redis_back(redis_));
    EXPECT_EQ(locked("k"), 2) << "a lock earned during the outage keeps holding";
    fail("other", 3);
    EXPECT_EQ(locked("other"), 2);
    EXPECT_EQ(server_.command({"HGET", "wxlogin:attempts:other", "n"}).str, "3") << "counted in Redis again";
    EXPECT_EQ(counter_.fallback().size(), 1u);
    run_sync(counter_.clear("k"));
    EXPECT_EQ(locked("k"), 0) << "clear ends the local lock too";
    EXPECT_EQ(counter_.fallback().size(), 0u);
}

// --- AccessTokenStore: a miss falls through, a claim is granted ---

class RedisTokenFault : public RedisFault {
protected:
    test::RedisInstance redis_{server_};
    RedisAccessTokenStore store_{redis_.client, clock_};
};

TEST_F(RedisTokenFault, TokensExpireWithTheirLifetime) {
    run_sync(store_.save("wxA", StoredAccessToken{"t1", kNow + 7200, kNow + 6900}));
    auto const pttl = server_.command({"PTTL", "wxlogin:wechat-token:wxA"}).integer;
    EXPECT_GT(pttl, 7'100'000);
    EXPECT_LE(pttl, 7'200'000);
    EXPECT_EQ(server_.command({"GET", "wxlogin:wechat-token:wxA"}).str,
              std::to_string(kNow + 7200) + " " + std::to_string(kNow + 6900) + " t1");
    ASSERT_TRUE(run_sync(store_.claim_fetch("wxA", kNow, 15)));
    auto const claim_pttl = server_.command({"PTTL", "wxlogin:wechat-claim:wxA"}).integer;
    EXPECT_GT(claim_pttl, 14'000);
    EXPECT_LE(claim_pttl, 15'000);
}

TEST_F(RedisTokenFault, ReleaseDeletesOnlyOurOwnClaim) {
    RedisAccessTokenStore other{redis_.client, clock_};
    ASSERT_TRUE(run_sync(store_.claim_fetch("wxA", kNow, 15)));
    ASSERT_TRUE(run_sync(other.claim_fetch("wxA", kNow + 16, 15))) << "ours lapsed; theirs now";
    run_sync(store_.release_fetch("wxA"));  // late: must not free their claim
    EXPECT_FALSE(run_sync(store_.claim_fetch("wxA", kNow + 17, 15)));
    run_sync(other.release_fetch("wxA"));
    EXPECT_TRUE(run_sync(store_.claim_fetch("wxA", kNow + 17, 15)));
}

TEST_F(RedisTokenFault, WhileRedisIsDownLoadsMissClaimsAreGrantedAndItRecoversAlone) {
    run_sync(store_.save("wxA", StoredAccessToken{"t1", kNow + 7200, kNow + 6900}));
    ASSERT_TRUE(run_sync(store_.claim_fetch("wxA", kNow, 15)));

    server_.stop();
    EXPECT_FALSE(run_sync(store_.load("wxA")).has_value()) << "a miss: the caller fetches itself";
    EXPECT_TRUE(run_sync(store_.claim_fetch("wxA", kNow + 1, 15))) << "granted: fail open";
    EXPECT_TRUE(run_sync(store_.claim_fetch("wxA", kNow + 1, 15)));
    run_sync(store_.save("wxA", StoredAccessToken{"t2", kNow + 7200, kNow + 6900}));  // best effort
    EXPECT_FALSE(run_sync(store_.discard("wxA", "t1")));
    run_sync(store_.release_fetch("wxA"));

    server_.start();  // empty
    ASSERT_TRUE(redis_back(redis_));
    EXPECT_FALSE(run_sync(store_.load("wxA")).has_value());
    run_sync(store_.save("wxA", StoredAccessToken{"t3", kNow + 7200, kNow + 6900}));
    auto loaded = run_sync(store_.load("wxA"));
    ASSERT_TRUE(loaded.has_value());
    EXPECT_EQ(loaded->token, "t3");
    EXPECT_TRUE(run_sync(store_.claim_fetch("wxA", kNow + 2, 15)));
    EXPECT_FALSE(run_sync(store_.claim_fetch("wxA", kNow + 3, 15))) << "exclusive again";
}

// --- RevocationList: what is known stays refused; the feed recovers by itself ---

class RedisRevocationFault : public RedisFault {
protected:
    test::RedisInstance redis_a_{server_};
    test::RedisInstance redis_b_{server_};
    RedisRevocationList a_{clock_, redis_a_.feed};
    RedisRevocationList b_{clock_, redis_b_.feed};

    ::testing::AssertionResult subscribed() {
        return wait_until("both feeds subscribed",
                          [&] { return redis_a_.feed.connected() && redis_b_.feed.connected(); });
    }
};

TEST_F(RedisRevocationFault, WhileRedisIsDownKnownRevocationsStayAndAfterARestartTheFeedWorksAgain) {
    ASSERT_TRUE(subscribed());
    run_sync(a_.announce({RevokedSession{"before", kNow + 600}}));
    ASSERT_TRUE(wait_until("B heard it", [&] { return b_.check("before") == Status::revoked; }));

    server_.stop();
    ASSERT_TRUE(wait_until("B's feed noticed", [&] { return !redis_b_.feed.connected(); }));
    run_sync(a_.announce({RevokedSession{"during", kNow + 600}}));
    EXPECT_EQ(a_.check("during"), Status::revoked) << "applied here at once, Redis or not";
    EXPECT_EQ(a_.check("before"), Status::revoked);
    EXPECT_EQ(b_.check("before"), Status::revoked) << "nothing is ever un-revoked";
    EXPECT_EQ(b_.check("fresh"), Status::live) << "the vouching rule is off: never unknown";
    b_.restore({RevokedSession{"during", kNow + 600}});  // what the change-log poller does
    EXPECT_EQ(b_.check("during"), Status::revoked);

    server_.start();  // empty
    ASSERT_TRUE(subscribed());
    EXPECT_EQ(a_.check("before"), Status::revoked) << "an empty Redis takes nothing away";
    EXPECT_EQ(b_.check("before"), Status::revoked);
    ASSERT_TRUE(redis_back(redis_a_));
    run_sync(a_.announce({RevokedSession{"after", kNow + 600}}));
    ASSERT_TRUE(wait_until("B hears A again", [&] { return b_.check("after") == Status::revoked; }));
    EXPECT_EQ(b_.size(), 3u);
}

// The vouching rule, as the change-log poller will drive it: `unknown` only while neither the
// database (a recent poll) nor the feed (subscribed since before the last poll) vouches.
TEST_F(RedisRevocationFault, WithTheVouchingRuleUnknownOnlyWhenNeitherChannelVouches) {
    RedisRevocationList list{clock_, redis_b_.feed, RedisRevocationListOptions{std::chrono::milliseconds{200}}};
    ASSERT_TRUE(subscribed());
    EXPECT_EQ(list.check("s"), Status::unknown) << "no poll yet: nothing vouches";
    list.restore({RevokedSession{"gone", kNow + 600}});
    EXPECT_EQ(list.check("gone"), Status::revoked) << "a known revocation is always revoked";

    list.database_caught_up(std::chrono::steady_clock::now());
    EXPECT_EQ(list.check("s"), Status::live);
    auto const polled = std::chrono::steady_clock::now();
    ASSERT_TRUE(wait_until("the poll is older than the window",
                           [&] { return std::chrono::steady_clock::now() - polled > std::chrono::milliseconds{250}; }));
    EXPECT_EQ(list.check("s"), Status::live) << "the feed, subscribed since before that poll, vouches";

    server_.stop();
    ASSERT_TRUE(wait_until("the feed noticed", [&] { return !redis_b_.feed.connected(); }));
    EXPECT_EQ(list.check("s"), Status::unknown) << "the poll is stale and the feed is down";
    EXPECT_EQ(list.check("gone"), Status::revoked);
    list.database_caught_up(std::chrono::steady_clock::now());
    EXPECT_EQ(list.check("s"), Status::live) << "the database alone vouches";

    auto const stale_poll = std::chrono::steady_clock::now() - std::chrono::seconds{10};
    RedisRevocationList later{clock_, redis_b_.feed, RedisRevocationListOptions{std::chrono::milliseconds{200}}};
    later.database_caught_up(stale_poll);
    server_.start();
    ASSERT_TRUE(wait_until("the feed subscribed again", [&] { return redis_b_.feed.connected(); }));
    EXPECT_EQ(later.check("s"), Status::unknown)
        << "subscribed only after the last poll started: what came between is covered by neither";
    later.database_caught_up(std::chrono::steady_clock::now());
    EXPECT_EQ(later.check("s"), Status::live);
}

// --- UserCache: an outage falls through to the database ---

class RedisUserCacheFault : public RedisFault {
protected:
    std::string json_of(RedisUserCache& cache, std::int64_t id) {
        auto got = run_sync(cache.get(id));
        EXPECT_TRUE(got) << got.error().message();
        return got ? (*got)->json : "";
    }
    static std::string expected(std::int64_t id, std::string const& nickname) {
        return "user " + std::to_string(id) + " " + nickname;
    }

    test::UserDatabase db_{clock_};
    test::RedisInstance redis_{server_};
    RedisUserCache cache_{db_.users(),   &test::render_user, clock_, RedisUserCacheConfig{300, 30, 1000},
                          redis_.client, redis_.feed};
};

TEST_F(RedisUserCacheFault, WhileRedisIsDownUsersComeFromTheDatabaseAndL2IsUsedAgainAfter) {
    auto const id = db_.new_user(kNow);
    server_.stop();
    EXPECT_EQ(json_of(cache_, id), expected(id, "")) << "loaded from the database";
    db_.set_nickname(id, "behind");
    EXPECT_EQ(json_of(cache_, id), expected(id, "")) << "then served from L1";
    run_sync(cache_.invalidate(id));
    EXPECT_EQ(json_of(cache_, id), expected(id, "behind"));
    auto user = db_.find(id);
    user.nickname = "put";
    EXPECT_EQ(run_sync(cache_.put(user))->json, expected(id, "put"));
    EXPECT_EQ(json_of(cache_, id), expected(id, "put"));
    auto unknown = run_sync(cache_.get(987654));
    ASSERT_FALSE(unknown);
    EXPECT_EQ(unknown.error(), Errc::not_found);

    server_.start();  // empty
    ASSERT_TRUE(redis_back(redis_));
    run_sync(cache_.invalidate(id));
    EXPECT_EQ(json_of(cache_, id), expected(id, "behind"));
    auto const stored = server_.command({"GET", "wxlogin:user:" + std::to_string(id)});
    ASSERT_TRUE(stored.is_string()) << "the load filled L2 again";
    auto decoded = decode_cached_user(stored.str);
    ASSERT_TRUE(decoded && decoded->user);
    EXPECT_EQ(decoded->user->nickname, "behind");
}

TEST_F(RedisUserCacheFault, UnknownIdsAreCachedBrieflyAsMissing) {
    auto first = run_sync(cache_.get(5555));
    ASSERT_FALSE(first);
    EXPECT_EQ(first.error(), Errc::not_found);
    auto const stored = server_.command({"GET", "wxlogin:user:5555"});
    ASSERT_TRUE(stored.is_string());
    auto decoded = decode_cached_user(stored.str);
    ASSERT_TRUE(decoded);
    EXPECT_FALSE(decoded->user.has_value());
    EXPECT_EQ(decoded->expires_at, kNow + 30);
    EXPECT_LE(server_.command({"PTTL", "wxlogin:user:5555"}).integer, 30'000);
}

TEST_F(RedisUserCacheFault, TheCachedRecordRoundTripsThroughRedis) {
    User u;
    u.id = 7;
    u.username = "ann";
    u.email = "ann@example.com";
    u.nickname = "Ann \"the\" 安";
    u.avatar_url = "https://x/a.png";
    u.phone = "+8613800000000";
    u.role = "admin";
    u.disabled = true;
    u.created_at = kNow - 5;
    u.wechat = WeChatIdentity{"wxapp", "o-7", "u-7"};
    auto decoded = decode_cached_user(encode_cached_user(&u, kNow + 99));
    ASSERT_TRUE(decoded && decoded->user);
    EXPECT_EQ(decoded->expires_at, kNow + 99);
    auto const& d = *decoded->user;
    EXPECT_EQ(d.id, 7);
    EXPECT_EQ(d.username, u.username);
    EXPECT_EQ(d.email, u.email);
    EXPECT_EQ(d.nickname, u.nickname);
    EXPECT_EQ(d.avatar_url, u.avatar_url);
    EXPECT_EQ(d.phone, u.phone);
    EXPECT_EQ(d.role, "admin");
    EXPECT_TRUE(d.disabled);
    EXPECT_EQ(d.created_at, u.created_at);
    ASSERT_TRUE(d.wechat.has_value());
    EXPECT_EQ(d.wechat->openid, "o-7");
    EXPECT_EQ(d.wechat->unionid, std::optional<std::string>{"u-7"});
    EXPECT_FALSE(decode_cached_user(R"({"exp":1,"user":{"id":7,"role":"user"}})")) << "no disabled flag: refused";
    EXPECT_FALSE(decode_cached_user("not json"));
}

}  // namespace
}  // namespace wx::store
