// The change-log feed, on a real database: what one instance revokes or changes reaches another
// instance's revocation list and user cache through the database alone, and a seq that is
// missing because its transaction has not committed yet is read again until it arrives.
#include "store/change_feed.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <stdexcept>
#include <string>

#include "core/blocking_pool.hpp"
#include "store/in_process_revocation_list.hpp"
#include "store/in_process_user_cache.hpp"
#include "store/session_store.hpp"
#include "store/sqlite_backend.hpp"
#include "store/wechat_identity_store.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_app.hpp"

namespace wx::store {
namespace {

using test::run_sync;

constexpr std::int64_t kNow = 1'800'000'000;

std::string render(User const& u) { return u.nickname; }

class ChangeFeedTest : public ::testing::Test {
protected:
    // Members below reference the backend, so it is opened while they are initialised.
    std::unique_ptr<SqliteBackend> open_migrated() {
        test::init_test_process();
        auto opened = SqliteBackend::open(path(), pool_, clock_);
        if (!opened) throw std::runtime_error("cannot open " + path());
        if (!(*opened)->migrate()) throw std::runtime_error("cannot migrate " + path());
        return std::move(*opened);
    }

    std::int64_t login(std::string const& openid, std::string const& sid) {
        WeChatLogin l;
        l.identity = WeChatIdentity{"wxapp", openid, std::nullopt};
        l.session.id = sid;
        l.session.refresh_hash.assign(sid.begin(), sid.end());  // unique per session, as a hash is
        l.session.created_at = kNow;
        l.session.expires_at = kNow + 3600;
        l.session.access_expires_at = kNow + 600;
        l.now = kNow;
        auto r = run_sync(identities_.login(std::move(l)));
        EXPECT_TRUE(r);
        return r ? r->user.id : 0;
    }
    void exec_sql(std::string const& sql) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK) << sql;
        sqlite3_close(db);
    }
    std::int64_t poll() {
        auto n = run_sync(feed_.poll_once());
        EXPECT_TRUE(n) << n.error().message();
        return n ? *n : -1;
    }
    [[nodiscard]] std::string path() const { return (dir_.path() / "feed.db").string(); }

    test::TempDir dir_{"wxlogin-feed"};
    TestClock clock_{kNow};
    BlockingPool pool_{"feed", 2, 64};
    std::unique_ptr<SqliteBackend> backend_ = open_migrated();
    WeChatIdentityStore identities_{*backend_};
    SessionStore sessions_{*backend_};
    UserStore accounts_{*backend_};
    ChangeLog log_{*backend_};
    // The other instance's local state, fed only by the change log.
    InProcessRevocationList their_revocations_{clock_};
    InProcessUserCache their_users_{accounts_, &render, clock_, UserCacheConfig{}};
    ChangeFeed feed_{log_, their_revocations_, their_users_, clock_, ChangeFeedConfig{}};
};

TEST_F(ChangeFeedTest, ARevocationElsewhereReachesThisInstance) {
    ASSERT_TRUE(run_sync(feed_.start_from_now()));
    auto user = login("o-a", "sid-a");
    login("o-a", "sid-b");
    EXPECT_EQ(poll(), 0) << "logins are not changes anyone must hear of";
    ASSERT_TRUE(run_sync(sessions_.revoke(user, "sid-a", kNow + 1)));
    EXPECT_EQ(their_revocations_.check("sid-a"), RevocationList::Status::live) << "not before the poll";
    EXPECT_EQ(poll(), 1);
    EXPECT_EQ(their_revocations_.check("sid-a"), RevocationList::Status::revoked);
    EXPECT_EQ(their_revocations_.check("sid-b"), RevocationList::Status::live);
    ASSERT_TRUE(run_sync(sessions_.revoke_all(user, kNow + 2)));
    EXPECT_EQ(poll(), 1);
    EXPECT_EQ(their_revocations_.check("sid-b"), RevocationList::Status::revoked);
    EXPECT_EQ(poll(), 0);
    EXPECT_EQ(feed_.applied(), 2u);
}

TEST_F(ChangeFeedTest, AUserChangeElsewhereDropsTheCachedCopy) {
    ASSERT_TRUE(run_sync(feed_.start_from_now()));
    auto user = login("o-u", "sid-u");
    auto cached = run_sync(their_users_.get(user));
    ASSERT_TRUE(cached);
    EXPECT_EQ((*cached)->json, "");
    ProfileChange nick;
    nick.nickname = "renamed";
    nick.now = kNow + 1;
    ASSERT_TRUE(run_sync(accounts_.update_profile(user, nick)));
    EXPECT_EQ((*run_sync(their_users_.get(user)))->json, "") << "still the cached copy before the poll";
    EXPECT_EQ(poll(), 1);
    EXPECT_EQ((*run_sync(their_users_.get(user)))->json, "renamed");
}

TEST_F(ChangeFeedTest, StartsAfterWhatIsAlreadyRecorded) {
    auto user = login("o-s", "sid-s");
    ASSERT_TRUE(run_sync(sessions_.revoke(user, "sid-s", kNow + 1)));
    ASSERT_TRUE(run_sync(feed_.start_from_now()));
    EXPECT_EQ(poll(), 0) << "restored from the sessions table at start, not from the log";
    EXPECT_GT(feed_.position(), 0);
}

// MySQL numbers a row when it is inserted, not when it commits: seq 3 can be visible before 2.
TEST_F(ChangeFeedTest, AMissingSeqIsReadAgainUntilItCommitsOrIsGivenUp) {
    ASSERT_TRUE(run_sync(feed_.start_from_now()));
    exec_sql("INSERT INTO changes (seq, kind, subject, until_at, created_at) VALUES (1, 1, 's1', " +
             std::to_string(kNow + 600) + ", " + std::to_string(kNow) + ")");
    exec_sql("INSERT INTO changes (seq, kind, subject, until_at, created_at) VALUES (3, 1, 's3', " +
             std::to_string(kNow + 600) + ", " + std::to_string(kNow) + ")");
    EXPECT_EQ(poll(), 2);
    EXPECT_EQ(feed_.position(), 1) << "seq 2 is a hole: read from it again";
    exec_sql("INSERT INTO changes (seq, kind, subject, until_at, created_at) VALUES (2, 1, 's2', " +
             std::to_string(kNow + 600) + ", " + std::to_string(kNow) + ")");
    EXPECT_EQ(poll(), 2) << "the late seq 2, and seq 3 again (applying twice is harmless)";
    EXPECT_EQ(their_revocations_.check("s2"), RevocationList::Status::revoked);
    EXPECT_EQ(feed_.position(), 3);

    exec_sql("INSERT INTO changes (seq, kind, subject, until_at, created_at) VALUES (5, 1, 's5', " +
             std::to_string(kNow + 600) + ", " + std::to_string(kNow) + ")");
    EXPECT_EQ(poll(), 1);
    EXPECT_EQ(feed_.position(), 3) << "waiting for seq 4";
    clock_.advance(ChangeFeedConfig{}.hole_patience_seconds);
    EXPECT_EQ(poll(), 1);
    EXPECT_EQ(feed_.position(), 5) << "seq 4 rolled back: given up after the patience";
}

}  // namespace
}  // namespace wx::store
