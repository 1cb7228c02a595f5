// The backend contract: every database backend, driven through the stores (the rules written once
// above the backends), must give the same answers — including under real concurrency, where only
// constraints and row locks keep the rules true. One typed suite, one instantiation per backend:
// SQLite, and MariaDB on the server of the CTest fixture `mariadb` (a database per test case),
// where the concurrent cases run into real row locks, duplicate keys and deadlocks.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/thread_pool.hpp>
#include <latch>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "auth/credential_rules.hpp"
#include "auth/encoding.hpp"
#include "auth/refresh_token.hpp"
#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/change_log.hpp"
#include "store/mysql_backend.hpp"
#include "store/mysql_schema.hpp"
#include "store/session_store.hpp"
#include "store/sqlite_backend.hpp"
#include "store/sqlite_schema.hpp"
#include "store/user_store.hpp"
#include "store/wechat_identity_store.hpp"
#include "support/mariadb_server.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_app.hpp"

namespace wx::store {
namespace {

using test::run_sync;

constexpr std::int64_t kNow = 1'800'000'000;

// A fresh SQLite database in a temp dir, opened like `serve` opens it.
class SqliteFixture {
public:
    static constexpr char const* kName = "SQLite";

    SqliteFixture() {
        test::init_test_process();
        reopen();
    }

    Backend& backend() { return *backend_; }
    // Brings the schema to exactly `version` (0: empty) on a database that has no schema yet.
    void migrate_to(std::int64_t version) { ASSERT_TRUE(backend_->migrate_to(version)); }
    [[nodiscard]] static std::int64_t schema_versions() { return static_cast<std::int64_t>(kSqliteSchema.size()); }
    // Runs SQL directly on the file, as an operator would (the backend's own connections see it).
    void exec_sql(std::string const& sql) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
        char* err = nullptr;
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err), SQLITE_OK) << (err ? err : "");
        sqlite3_free(err);
        sqlite3_close(db);
    }
    // Closes and opens the database again, as a restart does.
    void reopen() {
        backend_.reset();
        auto opened = SqliteBackend::open(path(), pool_, clock_);
        ASSERT_TRUE(opened) << opened.error().message();
        backend_ = std::move(*opened);
    }

private:
    [[nodiscard]] std::string path() const { return (dir_.path() / "contract.db").string(); }

    test::TempDir dir_{"wxlogin-contract"};
    TestClock clock_{kNow};
    BlockingPool pool_{"contract", 4, 512};
    std::unique_ptr<SqliteBackend> backend_;
};

// A fresh database of its own on the fixture's MariaDB server, opened like `serve` opens it (the
// default pool settings).
class MariadbFixture {
public:
    static constexpr char const* kName = "MariaDB";

    MariadbFixture() {
        test::init_test_process();
        reopen();
    }

    Backend& backend() { return *backend_; }
    void migrate_to(std::int64_t version) { ASSERT_TRUE(backend_->migrate_to(version)); }
    [[nodiscard]] static std::int64_t schema_versions() { return static_cast<std::int64_t>(kMysqlSchema.size()); }
    // Runs SQL on the database over an operator's connection of its own.
    void exec_sql(std::string const& sql) { database_.exec(sql); }
    void reopen() {
        backend_.reset();
        std::string why;
        auto opened = MysqlBackend::open(database_.config(), MysqlPoolConfig{}, pool_, clock_, &why);
        ASSERT_TRUE(opened) << why;
        backend_ = std::move(*opened);
    }

private:
    test::MariadbDatabase database_;
    TestClock clock_{kNow};
    BlockingPool pool_{"contract", 4, 512};
    std::unique_ptr<MysqlBackend> backend_;
};

// Runs every task at once on four threads and answers their results in order.
template <class T>
std::vector<T> run_concurrently(std::vector<Task<T>> tasks) {
    asio::thread_pool threads{4};
    std::vector<std::optional<T>> out(tasks.size());
    std::latch done{static_cast<std::ptrdiff_t>(tasks.size())};
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        auto finish = [&out, &done, i](std::exception_ptr e, T value) {
            if (!e) out[i].emplace(std::move(value));
            done.count_down();
        };
        asio::co_spawn(threads, std::move(tasks[i]), finish);
    }
    done.wait();
    threads.join();
    std::vector<T> results;
    for (auto& o : out) {
        EXPECT_TRUE(o.has_value()) << "a task threw";
        if (o) results.push_back(std::move(*o));
    }
    return results;
}

NewSession new_session(std::int64_t now = kNow) {
    NewSession s;
    s.id = auth::new_id();
    s.refresh_hash = auth::new_refresh_token(now * 1000).key;
    s.created_at = now;
    s.expires_at = now + 3600;
    s.access_expires_at = now + 600;
    return s;
}

WeChatLogin login_of(std::string openid, std::optional<std::string> unionid = {}, std::string app_id = "wxapp1") {
    WeChatLogin l;
    l.identity = WeChatIdentity{std::move(app_id), std::move(openid), std::move(unionid)};
    l.session_key_sealed = {1, 2, 3};
    l.session = new_session();
    l.now = kNow;
    return l;
}

NewPasswordUser registration(std::string const& username, std::optional<std::string> email = {}) {
    NewPasswordUser u;
    u.username = username;
    u.username_key = auth::username_key(username);
    if (email) {
        u.email_key = auth::email_key(*email);
        u.email = std::move(email);
    }
    u.password_hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA";
    u.session = new_session();
    u.now = kNow;
    return u;
}

Rotation rotation_of(std::vector<unsigned char> presented, std::int64_t now = kNow + 10) {
    Rotation r;
    r.presented_hash = std::move(presented);
    r.next_hash = auth::new_refresh_token(now * 1000).key;
    r.now = now;
    r.access_expires_at = now + 600;
    return r;
}

template <class Fixture>
class BackendContract : public ::testing::Test {
protected:
    void SetUp() override { fixture_.migrate_to(Fixture::schema_versions()); }

    // `n` password accounts named prefix0, prefix1, ...; their ids.
    std::vector<std::int64_t> register_users(std::string const& prefix, int n) {
        std::vector<std::int64_t> ids;
        for (int i = 0; i < n; ++i) {
            auto r = run_sync(accounts_.register_user(registration(prefix + std::to_string(i))));
            EXPECT_TRUE(r);
            if (r) ids.push_back(r->user.id);
        }
        return ids;
    }
    LoginOutcome login(WeChatLogin l) {
        auto r = run_sync(identities_.login(std::move(l)));
        EXPECT_TRUE(r) << r.error().message();
        return r ? *r : LoginOutcome{};
    }
    RefreshOutcome refresh(std::vector<unsigned char> presented, std::int64_t now = kNow + 10) {
        auto r = run_sync(sessions_.refresh(rotation_of(std::move(presented), now)));
        EXPECT_TRUE(r) << r.error().message();
        return r ? *r : RefreshOutcome{};
    }

    Fixture fixture_;
    UserStore accounts_{fixture_.backend()};
    WeChatIdentityStore identities_{fixture_.backend()};
    SessionStore sessions_{fixture_.backend()};
};

class FixtureNames {
public:
    template <class T>
    static std::string GetName(int) {
        return T::kName;
    }
};

// Concurrent logins of one person: all succeeded, all landed in one user, exactly one created it.
void expect_one_user_created_once(std::vector<result<LoginOutcome>> const& results, std::size_t logins) {
    ASSERT_EQ(results.size(), logins);
    std::set<std::int64_t> users;
    int created = 0;
    for (auto const& r : results) {
        ASSERT_TRUE(r) << r.error().message();
        users.insert(r->user.id);
        created += r->created ? 1 : 0;
    }
    EXPECT_EQ(users.size(), 1u);
    EXPECT_EQ(created, 1);
}

// Concurrent binds of one identity or person: all answered, exactly one bound, the rest refused.
void expect_one_bound_and_the_rest_refused(std::vector<result<BindOutcome>> const& results, std::size_t binds) {
    ASSERT_EQ(results.size(), binds);
    std::size_t bound = 0;
    std::size_t refused = 0;
    for (auto const& r : results) {
        ASSERT_TRUE(r) << r.error().message();
        bound += r->verdict == BindVerdict::bound ? 1 : 0;
        refused += r->verdict == BindVerdict::bound_to_another_user ? 1 : 0;
    }
    EXPECT_EQ(bound, 1u);
    EXPECT_EQ(refused, binds - 1);
}

using Backends = ::testing::Types<SqliteFixture, MariadbFixture>;
TYPED_TEST_SUITE(BackendContract, Backends, FixtureNames);

TYPED_TEST(BackendContract, SixteenConcurrentFirstLoginsMakeOneUserAndOneNewUser) {
    std::vector<Task<result<LoginOutcome>>> logins;
    for (int i = 0; i < 16; ++i) logins.push_back(this->identities_.login(login_of("o-first")));
    expect_one_user_created_once(run_concurrently(std::move(logins)), 16);
}

TYPED_TEST(BackendContract, ALoginFindsTheUserByOpenidThenByUnionidAcrossApps) {
    auto first = this->login(login_of("o-1", "u-1", "wxapp1"));
    EXPECT_TRUE(first.created);
    auto again = this->login(login_of("o-1", std::nullopt, "wxapp1"));
    EXPECT_FALSE(again.created);
    EXPECT_EQ(again.user.id, first.user.id);
    auto other_app = this->login(login_of("o-2", "u-1", "wxapp2"));
    EXPECT_FALSE(other_app.created) << "the same unionid is the same person";
    EXPECT_EQ(other_app.user.id, first.user.id);
    auto no_matching = login_of("o-3", "u-1", "wxapp3");
    no_matching.match_unionid_across_apps = false;
    auto separate = this->login(std::move(no_matching));
    EXPECT_TRUE(separate.created);
    EXPECT_NE(separate.user.id, first.user.id);
}

// One person's first logins through sixteen apps at once (sixteen openids, one unionid): no
// unique key can refuse the second user here, only the unionid lock does.
TYPED_TEST(BackendContract, ConcurrentFirstLoginsOfOnePersonThroughManyAppsMakeOneUser) {
    std::vector<Task<result<LoginOutcome>>> logins;
    for (int i = 0; i < 16; ++i) {
        auto app = "wxapp" + std::to_string(i);
        logins.push_back(this->identities_.login(login_of("o-" + app, "u-many-apps", app)));
    }
    expect_one_user_created_once(run_concurrently(std::move(logins)), 16);
}

// Six accounts binding identities of one person (one unionid, six apps) at once: the first bind
// makes the person theirs, so exactly one succeeds and the others are told it is taken.
TYPED_TEST(BackendContract, ConcurrentBindsOfOnePersonThroughManyAppsBindOneAccount) {
    auto const users = this->register_users("person", 6);
    ASSERT_EQ(users.size(), 6u);
    std::vector<Task<result<BindOutcome>>> binds;
    for (std::size_t i = 0; i < users.size(); ++i) {
        auto app = "wxapp" + std::to_string(i);
        binds.push_back(
            this->identities_.bind(BindWeChat{users[i], WeChatIdentity{app, "o-" + app, "u-contested"}, {7}, kNow}));
    }
    expect_one_bound_and_the_rest_refused(run_concurrently(std::move(binds)), users.size());
}

TYPED_TEST(BackendContract, ConcurrentRefreshesOfOneTokenHaveExactlyOneWinner) {
    auto l = login_of("o-refresh");
    auto presented = l.session.refresh_hash;
    auto sid = l.session.id;
    auto logged_in = this->login(std::move(l));
    constexpr int kRefreshes = 12;
    std::vector<Task<result<RefreshOutcome>>> refreshes;
    for (int i = 0; i < kRefreshes; ++i) refreshes.push_back(this->sessions_.refresh(rotation_of(presented)));
    auto results = run_concurrently(std::move(refreshes));
    ASSERT_EQ(results.size(), static_cast<std::size_t>(kRefreshes));
    int rotated = 0, reused = 0, unknown = 0;
    for (auto const& r : results) {
        ASSERT_TRUE(r) << r.error().message();
        switch (r->verdict) {
            case RefreshVerdict::rotated:
                ++rotated;
                EXPECT_EQ(r->user.id, logged_in.user.id);
                break;
            case RefreshVerdict::reused:
                ++reused;
                break;
            case RefreshVerdict::unknown:  // the session was revoked by a reuse before this one looked
                ++unknown;
                break;
            case RefreshVerdict::expired:
                ADD_FAILURE() << "nothing has expired";
                break;
        }
    }
    EXPECT_EQ(rotated, 1);
    EXPECT_GE(reused, 1) << "the first loser sees a spent token and ends the family";
    EXPECT_EQ(rotated + reused + unknown, kRefreshes);
    auto revoked = run_sync(this->sessions_.revoked_since(kNow));
    ASSERT_TRUE(revoked);
    ASSERT_EQ(revoked->size(), 1u);
    EXPECT_EQ(revoked->front().id, sid);
}

TYPED_TEST(BackendContract, ReuseOfAnOldTokenRevokesTheWholeFamily) {
    auto l = login_of("o-family");
    auto t0 = l.session.refresh_hash;
    auto sid = l.session.id;
    this->login(std::move(l));
    auto r1 = rotation_of(t0);
    auto t1 = r1.next_hash;
    auto first = run_sync(this->sessions_.refresh(std::move(r1)));
    ASSERT_TRUE(first);
    ASSERT_EQ(first->verdict, RefreshVerdict::rotated);
    auto r2 = rotation_of(t1);
    auto t2 = r2.next_hash;
    auto second = run_sync(this->sessions_.refresh(std::move(r2)));
    ASSERT_TRUE(second);
    ASSERT_EQ(second->verdict, RefreshVerdict::rotated);

    auto replay = this->refresh(t0);
    EXPECT_EQ(replay.verdict, RefreshVerdict::reused);
    EXPECT_EQ(replay.session_id, sid);
    EXPECT_EQ(this->refresh(t2).verdict, RefreshVerdict::unknown) << "the newest token died with its family";
    EXPECT_EQ(this->refresh(t1).verdict, RefreshVerdict::unknown);
    auto revoked = run_sync(this->sessions_.revoked_since(kNow));
    ASSERT_TRUE(revoked);
    ASSERT_EQ(revoked->size(), 1u);
    EXPECT_EQ(revoked->front().id, sid);
    EXPECT_EQ(revoked->front().access_expires_at, kNow + 10 + 600) << "the latest access token issued";
}

TYPED_TEST(BackendContract, AKeyOfTheEarlierLayoutRotatesToOneOfTheCurrentLayout) {
    // A database written before refresh tokens carried an id holds bare 32-byte SHA-256 keys; the
    // same table now also takes 48-byte ones (id and hash), and a family may mix them.
    auto const legacy_token = std::string(43, 'Q');
    auto l = login_of("o-legacy");
    l.session.refresh_hash = auth::refresh_token_key(legacy_token);
    ASSERT_EQ(l.session.refresh_hash.size(), 32u);
    this->login(std::move(l));
    auto r = rotation_of(auth::refresh_token_key(legacy_token));
    auto successor = r.next_hash;
    ASSERT_EQ(successor.size(), 48u);
    auto rotated = run_sync(this->sessions_.refresh(std::move(r)));
    ASSERT_TRUE(rotated);
    EXPECT_EQ(rotated->verdict, RefreshVerdict::rotated);
    EXPECT_EQ(this->refresh(successor).verdict, RefreshVerdict::rotated);
    EXPECT_EQ(this->refresh(auth::refresh_token_key(legacy_token)).verdict, RefreshVerdict::reused);
}

TYPED_TEST(BackendContract, RefreshVerdictsForUnknownExpiredAndDisabled) {
    EXPECT_EQ(this->refresh(auth::new_refresh_token(kNow * 1000).key).verdict, RefreshVerdict::unknown);

    auto l = login_of("o-expiry");
    auto presented = l.session.refresh_hash;
    auto user = this->login(std::move(l)).user;
    EXPECT_EQ(this->refresh(presented, kNow + 3600).verdict, RefreshVerdict::expired);

    auto l2 = login_of("o-disabled");
    auto presented2 = l2.session.refresh_hash;
    auto disabled = this->login(std::move(l2)).user;
    this->fixture_.exec_sql("UPDATE users SET disabled = 1 WHERE id = " + std::to_string(disabled.id));
    EXPECT_EQ(this->refresh(presented2).verdict, RefreshVerdict::unknown);
    EXPECT_NE(user.id, disabled.id);
}

TYPED_TEST(BackendContract, RevokeAnswersOnlyWhatItRevoked) {
    auto a = login_of("o-revoke");
    auto sid_a = a.session.id;
    auto user = this->login(std::move(a)).user;
    auto b = login_of("o-revoke");
    auto sid_b = b.session.id;
    this->login(std::move(b));

    auto other = run_sync(this->sessions_.revoke(user.id + 1000, sid_a, kNow + 1));
    ASSERT_TRUE(other);
    EXPECT_EQ(other->size(), 0u) << "not that user's session";
    auto one = run_sync(this->sessions_.revoke(user.id, sid_a, kNow + 1));
    ASSERT_TRUE(one);
    ASSERT_EQ(one->size(), 1u);
    EXPECT_EQ(one->front().id, sid_a);
    auto again = run_sync(this->sessions_.revoke(user.id, sid_a, kNow + 2));
    ASSERT_TRUE(again);
    EXPECT_EQ(again->size(), 0u);
    auto rest = run_sync(this->sessions_.revoke_all(user.id, kNow + 3));
    ASSERT_TRUE(rest);
    ASSERT_EQ(rest->size(), 1u);
    EXPECT_EQ(rest->front().id, sid_b);

    auto alive = run_sync(this->sessions_.revoked_since(kNow));
    ASSERT_TRUE(alive);
    EXPECT_EQ(alive->size(), 2u);
    auto expired = run_sync(this->sessions_.revoked_since(kNow + 600));
    ASSERT_TRUE(expired);
    EXPECT_EQ(expired->size(), 0u) << "their access tokens are past exp: nothing to hold";
}

TYPED_TEST(BackendContract, StartSessionNeedsAnExistingUser) {
    auto user = this->login(login_of("o-start")).user;
    auto started = run_sync(this->sessions_.start(user.id, new_session()));
    ASSERT_TRUE(started);
    EXPECT_EQ(started->id, user.id);
    auto gone = run_sync(this->sessions_.start(user.id + 1000, new_session()));
    ASSERT_FALSE(gone);
    EXPECT_EQ(gone.error(), Errc::not_found);
}

TYPED_TEST(BackendContract, TakenNamesAreTakenInAnyCase) {
    auto first = run_sync(this->accounts_.register_user(registration("Alice", "Alice@Example.com")));
    ASSERT_TRUE(first);
    EXPECT_EQ(first->verdict, RegisterVerdict::created);
    EXPECT_EQ(first->user.username, "Alice") << "the case typed is what the user shows";
    auto name = run_sync(this->accounts_.register_user(registration("ALICE")));
    ASSERT_TRUE(name);
    EXPECT_EQ(name->verdict, RegisterVerdict::username_taken);
    auto email = run_sync(this->accounts_.register_user(registration("bob", "alice@EXAMPLE.com")));
    ASSERT_TRUE(email);
    EXPECT_EQ(email->verdict, RegisterVerdict::email_taken);

    auto by_name = run_sync(this->accounts_.credentials_by_username_key(auth::username_key("aLiCe")));
    ASSERT_TRUE(by_name);
    ASSERT_TRUE(by_name->has_value());
    EXPECT_EQ((*by_name)->user_id, first->user.id);
    auto by_email = run_sync(this->accounts_.credentials_by_email_key(auth::email_key("ALICE@example.COM")));
    ASSERT_TRUE(by_email);
    ASSERT_TRUE(by_email->has_value());
    EXPECT_EQ((*by_email)->user_id, first->user.id);
    auto nobody = run_sync(this->accounts_.credentials_by_username_key("nobody"));
    ASSERT_TRUE(nobody);
    EXPECT_FALSE(nobody->has_value());
}

TYPED_TEST(BackendContract, ConcurrentRegistrationsOfOneNameCreateOneAccount) {
    std::vector<Task<result<RegisterOutcome>>> registrations;
    for (int i = 0; i < 8; ++i)
        registrations.push_back(this->accounts_.register_user(registration(i % 2 ? "carol" : "CAROL")));
    auto results = run_concurrently(std::move(registrations));
    ASSERT_EQ(results.size(), 8u);
    int created = 0, taken = 0;
    for (auto const& r : results) {
        ASSERT_TRUE(r) << r.error().message();
        created += r->verdict == RegisterVerdict::created ? 1 : 0;
        taken += r->verdict == RegisterVerdict::username_taken ? 1 : 0;
    }
    EXPECT_EQ(created, 1);
    EXPECT_EQ(taken, 7);
}

TYPED_TEST(BackendContract, BindRefusesAnIdentityOfAnotherUser) {
    auto owner = this->login(login_of("o-owned", "u-owned", "wxapp1")).user;
    auto caller = run_sync(this->accounts_.register_user(registration("dave")));
    ASSERT_TRUE(caller);
    std::int64_t const me = caller->user.id;
    auto bind = [&](std::string openid, std::optional<std::string> unionid, std::string app) {
        BindWeChat b{me, WeChatIdentity{std::move(app), std::move(openid), std::move(unionid)}, {9, 9}, kNow};
        auto r = run_sync(this->identities_.bind(std::move(b)));
        EXPECT_TRUE(r) << r.error().message();
        return r ? r->verdict : BindVerdict::bound;
    };
    EXPECT_EQ(bind("o-owned", std::nullopt, "wxapp1"), BindVerdict::bound_to_another_user);
    EXPECT_EQ(bind("o-elsewhere", "u-owned", "wxapp2"), BindVerdict::bound_to_another_user) << "same unionid";
    EXPECT_EQ(bind("o-mine", std::nullopt, "wxapp1"), BindVerdict::bound);
    EXPECT_EQ(bind("o-mine", std::nullopt, "wxapp1"), BindVerdict::bound) << "binding one's own again is fine";

    auto after = this->login(login_of("o-mine", std::nullopt, "wxapp1"));
    EXPECT_FALSE(after.created);
    EXPECT_EQ(after.user.id, me) << "WeChat login now lands in the bound account";
    EXPECT_NE(owner.id, me);

    BindWeChat gone{me + 1000, WeChatIdentity{"wxapp1", "o-free", std::nullopt}, {1}, kNow};
    auto missing = run_sync(this->identities_.bind(std::move(gone)));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), Errc::not_found);
}

TYPED_TEST(BackendContract, ConcurrentBindsOfOneIdentityBindItOnce) {
    auto const users = this->register_users("binder", 6);
    ASSERT_EQ(users.size(), 6u);
    std::vector<Task<result<BindOutcome>>> binds;
    for (auto id : users)
        binds.push_back(this->identities_.bind(BindWeChat{id, WeChatIdentity{"wxapp1", "o-contested", {}}, {7}, kNow}));
    expect_one_bound_and_the_rest_refused(run_concurrently(std::move(binds)), users.size());
}

TYPED_TEST(BackendContract, TheLatestSessionKeyOfAnAppIsKept) {
    auto l1 = login_of("o-key");
    l1.session_key_sealed = {1};
    auto user = this->login(std::move(l1)).user;
    auto l2 = login_of("o-key");
    l2.session_key_sealed = {2};
    l2.now = kNow + 5;
    this->login(std::move(l2));
    auto sealed = run_sync(this->identities_.sealed_session_key(user.id, "wxapp1"));
    ASSERT_TRUE(sealed);
    ASSERT_TRUE(sealed->has_value());
    EXPECT_EQ(**sealed, (std::vector<unsigned char>{2}));
    auto other_app = run_sync(this->identities_.sealed_session_key(user.id, "wxapp9"));
    ASSERT_TRUE(other_app);
    EXPECT_FALSE(other_app->has_value());
}

TYPED_TEST(BackendContract, ProfileAndPhoneUpdates) {
    auto user = this->login(login_of("o-profile")).user;
    ProfileChange nothing;
    nothing.now = kNow + 1;
    auto same = run_sync(this->accounts_.update_profile(user.id, nothing));
    ASSERT_TRUE(same);
    EXPECT_EQ(same->nickname, "");
    EXPECT_EQ(same->avatar_url, "");

    ProfileChange nick;
    nick.nickname = "小明";
    nick.now = kNow + 2;
    auto named = run_sync(this->accounts_.update_profile(user.id, nick));
    ASSERT_TRUE(named);
    EXPECT_EQ(named->nickname, "小明");
    auto unchanged = run_sync(this->accounts_.update_profile(user.id, nothing));
    ASSERT_TRUE(unchanged);
    EXPECT_EQ(unchanged->nickname, "小明") << "an absent field stays as it is";

    auto phoned = run_sync(this->accounts_.set_phone(user.id, "13800001111", kNow + 3));
    ASSERT_TRUE(phoned);
    EXPECT_EQ(phoned->phone, "13800001111");
    auto found = run_sync(this->accounts_.find(user.id));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->phone, "13800001111");
    ASSERT_TRUE(found->wechat.has_value());
    EXPECT_EQ(found->wechat->openid, "o-profile");

    auto missing = run_sync(this->accounts_.update_profile(user.id + 1000, nick));
    ASSERT_FALSE(missing);
    EXPECT_EQ(missing.error(), Errc::not_found);
    auto missing_phone = run_sync(this->accounts_.set_phone(user.id + 1000, "1", kNow));
    ASSERT_FALSE(missing_phone);
    EXPECT_EQ(missing_phone.error(), Errc::not_found);
    auto missing_hash = run_sync(this->accounts_.set_password_hash(user.id + 1000, "h", kNow));
    ASSERT_FALSE(missing_hash);
    EXPECT_EQ(missing_hash.error(), Errc::not_found);
}

// Every revocation and every change to a cached user is in the change log, in order, committed
// with the change itself; the log can be read from any seq and pruned by age.
TYPED_TEST(BackendContract, TheChangeLogRecordsRevocationsAndUserChangesInOrder) {
    ChangeLog log{this->fixture_.backend()};
    auto start = run_sync(log.last_seq());
    ASSERT_TRUE(start);

    auto l = login_of("o-log");
    auto sid = l.session.id;
    auto presented = l.session.refresh_hash;
    auto user = this->login(std::move(l)).user;
    ProfileChange nick;
    nick.nickname = "logged";
    nick.now = kNow + 1;
    ASSERT_TRUE(run_sync(this->accounts_.update_profile(user.id, nick)));
    ASSERT_TRUE(run_sync(this->accounts_.set_phone(user.id, "13800001111", kNow + 2)));
    auto rotated = rotation_of(presented);
    ASSERT_TRUE(run_sync(this->sessions_.refresh(std::move(rotated))));
    EXPECT_EQ(this->refresh(presented).verdict, RefreshVerdict::reused);  // revokes the family
    auto other = login_of("o-log");
    auto other_sid = other.session.id;
    this->login(std::move(other));
    ASSERT_TRUE(run_sync(this->sessions_.revoke_all(user.id, kNow + 20)));

    auto entries = run_sync(log.after(*start, 100));
    ASSERT_TRUE(entries);
    ASSERT_EQ(entries->size(), 4u);
    auto const& e = *entries;
    EXPECT_EQ(e[0].kind, ChangeKind::user_changed);
    EXPECT_EQ(e[0].subject, std::to_string(user.id));
    EXPECT_EQ(e[1].kind, ChangeKind::user_changed);
    EXPECT_EQ(e[2].kind, ChangeKind::session_revoked);
    EXPECT_EQ(e[2].subject, sid);
    EXPECT_EQ(e[2].until, kNow + 10 + 600);
    EXPECT_EQ(e[3].kind, ChangeKind::session_revoked);
    EXPECT_EQ(e[3].subject, other_sid) << "revoke_all logs only what it revoked";
    for (std::size_t i = 1; i < e.size(); ++i) EXPECT_LT(e[i - 1].seq, e[i].seq);
    auto last = run_sync(log.last_seq());
    ASSERT_TRUE(last);
    EXPECT_EQ(*last, e.back().seq);
    auto tail = run_sync(log.after(e[1].seq, 1));
    ASSERT_TRUE(tail);
    ASSERT_EQ(tail->size(), 1u);
    EXPECT_EQ(tail->front().seq, e[2].seq);

    auto pruned = run_sync(log.prune(kNow + 3));
    ASSERT_TRUE(pruned);
    EXPECT_EQ(*pruned, 2) << "the two user changes were older";
    auto rest = run_sync(log.after(0, 100));
    ASSERT_TRUE(rest);
    EXPECT_EQ(rest->size(), 2u);
}

// A unit of work that fails leaves nothing behind, and units that keep losing races give up
// with busy after a bounded number of reruns (never a 500, never forever).
TYPED_TEST(BackendContract, AFailedUnitLeavesNothingAndConflictsAreRetriedABoundedNumberOfTimes) {
    auto half_written = write<void>(this->fixture_.backend(), [](Transaction& tx) -> result<void> {
        NewUserRow row;
        row.username = "ghost";
        row.username_key = "ghost";
        row.now = kNow;
        if (auto id = tx.insert_user(row); !id) return id.error();
        return make_error_code(Errc::not_found);  // something after the insert went wrong
    });
    auto failed = run_sync(std::move(half_written));
    ASSERT_FALSE(failed);
    EXPECT_EQ(failed.error(), Errc::not_found);
    auto ghost = run_sync(this->accounts_.credentials_by_username_key("ghost"));
    ASSERT_TRUE(ghost);
    EXPECT_FALSE(ghost->has_value()) << "the insert was rolled back with its unit";

    int attempts = 0;
    auto always_losing = write<void>(this->fixture_.backend(), [&attempts](Transaction&) -> result<void> {
        ++attempts;
        return make_error_code(Errc::conflict);
    });
    auto gave_up = run_sync(std::move(always_losing));
    ASSERT_FALSE(gave_up);
    EXPECT_EQ(gave_up.error(), Errc::busy);
    EXPECT_EQ(attempts, kMaxAttempts);

    auto duplicate = run_sync(this->accounts_.register_user(registration("eve")));
    ASSERT_TRUE(duplicate);
    auto constraint = write<std::int64_t>(this->fixture_.backend(), [](Transaction& tx) {
        NewUserRow row;
        row.username = "EVE";
        row.username_key = "eve";
        row.now = kNow;
        return tx.insert_user(row);  // a unique key refused by the database itself
    });
    auto refused = run_sync(std::move(constraint));
    ASSERT_FALSE(refused);
    EXPECT_EQ(refused.error(), Errc::busy) << "a conflict that reruns cannot resolve ends as busy";
}

// The janitor's lease: one holder at a time, renewable by its holder, free once it lapses.
TYPED_TEST(BackendContract, ALeaseHasOneHolderUntilItLapses) {
    auto claim = [this](std::string holder, std::int64_t now, std::int64_t until) {
        auto r = run_sync(write<std::int64_t>(this->fixture_.backend(), [&](Transaction& tx) -> result<std::int64_t> {
            auto held = tx.claim_lease("janitor", holder, now, until);
            if (!held) return held.error();
            return *held ? 1 : 0;
        }));
        EXPECT_TRUE(r) << r.error().message();
        return r ? *r : -1;
    };
    EXPECT_EQ(claim("a", kNow, kNow + 600), 1) << "a free lease is taken";
    EXPECT_EQ(claim("b", kNow + 1, kNow + 601), 0) << "held by another";
    EXPECT_EQ(claim("a", kNow + 300, kNow + 900), 1) << "renewed by its holder";
    EXPECT_EQ(claim("b", kNow + 899, kNow + 1500), 0) << "still held: the renewal counts";
    EXPECT_EQ(claim("b", kNow + 900, kNow + 1500), 1) << "lapsed: another takes it";
    EXPECT_EQ(claim("a", kNow + 901, kNow + 1501), 0);
}

// What is written survives a restart of the backend.
TYPED_TEST(BackendContract, DataSurvivesReopening) {
    auto l = login_of("o-durable");
    auto presented = l.session.refresh_hash;
    auto user = this->login(std::move(l)).user;
    this->fixture_.reopen();
    UserStore accounts{this->fixture_.backend()};
    SessionStore sessions{this->fixture_.backend()};
    auto found = run_sync(accounts.find(user.id));
    ASSERT_TRUE(found);
    EXPECT_EQ(found->wechat->openid, "o-durable");
    auto rotated = run_sync(sessions.refresh(rotation_of(presented)));
    ASSERT_TRUE(rotated);
    EXPECT_EQ(rotated->verdict, RefreshVerdict::rotated);
}

// Migrations from an empty database and from every earlier schema version reach the newest
// one, keep the data written under the old version, and leave a database the rules work on.
TYPED_TEST(BackendContract, MigratesFromEveryEarlierVersion) {
    auto const kOldToken = std::string(43, 'o');  // the shape of refresh tokens before schema 8
    for (std::int64_t from = 0; from < TypeParam::schema_versions(); ++from) {
        SCOPED_TRACE("from schema version " + std::to_string(from));
        TypeParam old;
        old.migrate_to(from);
        std::optional<std::int64_t> user_id;
        // The old version's rows, as that version wrote them (today's code reads columns a
        // version-6 schema lacks), from version 6 (sessions per device) on.
        if (from >= 6) {
            std::string const now = std::to_string(kNow);
            old.exec_sql("INSERT INTO users (id, created_at, updated_at) VALUES (500, " + now + ", " + now + ")");
            old.exec_sql(
                "INSERT INTO wechat_identities (app_id, openid, user_id, created_at, updated_at) "
                "VALUES ('wxapp1', 'o-old', 500, " +
                now + ", " + now + ")");
            user_id = 500;
            // A session and its refresh token of the earlier layout (the key is the token's
            // bare SHA-256), which must still rotate after the migration.
            old.exec_sql(
                "INSERT INTO sessions (id, user_id, generation, created_at, refreshed_at, expires_at, "
                "access_expires_at) VALUES ('old-session', 500, 0, " +
                now + ", " + now + ", " + std::to_string(kNow + 3600) + ", " + std::to_string(kNow + 600) + ")");
            old.exec_sql("INSERT INTO refresh_tokens (hash, session_id, generation, created_at) VALUES (X'" +
                         auth::hex_encode(auth::refresh_token_key(kOldToken)) + "', 'old-session', 0, " + now + ")");
        }
        ASSERT_TRUE(old.backend().migrate());
        ASSERT_TRUE(old.backend().migrate()) << "migrating twice is a no-op";

        WeChatIdentityStore identities{old.backend()};
        SessionStore sessions{old.backend()};
        auto fresh = login_of("o-new");
        auto fresh_token = fresh.session.refresh_hash;
        auto logged_in = run_sync(identities.login(std::move(fresh)));
        ASSERT_TRUE(logged_in) << logged_in.error().message();
        EXPECT_TRUE(logged_in->created);
        auto rotated = run_sync(sessions.refresh(rotation_of(fresh_token)));
        ASSERT_TRUE(rotated);
        EXPECT_EQ(rotated->verdict, RefreshVerdict::rotated);
        if (user_id) {
            auto again = run_sync(identities.login(login_of("o-old")));
            ASSERT_TRUE(again);
            EXPECT_EQ(again->user.id, *user_id) << "the old row is still the user";
            EXPECT_FALSE(again->created);
            auto old_rotated = run_sync(sessions.refresh(rotation_of(auth::refresh_token_key(kOldToken))));
            ASSERT_TRUE(old_rotated);
            EXPECT_EQ(old_rotated->verdict, RefreshVerdict::rotated) << "the old refresh token survived";
            EXPECT_EQ(old_rotated->session_id, "old-session");
        }
    }
}

}  // namespace
}  // namespace wx::store
