#pragma once
// A throw-away SQLite database with users, behind the Redis user cache in these tests, and a way
// to change a user behind every cache's back (an operator, another instance).

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/sqlite_backend.hpp"
#include "store/user_store.hpp"
#include "store/wechat_identity_store.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"

namespace wx::test {

inline std::string render_user(store::User const& u) { return "user " + std::to_string(u.id) + " " + u.nickname; }

// Thread safety: none; one test thread (the stores inside are thread-safe).
class UserDatabase {
public:
    explicit UserDatabase(Clock const& clock, std::size_t threads = 2) : pool_("db", threads, 64) {
        auto opened = store::SqliteBackend::open(path(), pool_, clock);
        if (!opened) throw std::runtime_error("cannot open the test database");
        backend_ = std::move(*opened);
        if (!backend_->migrate()) throw std::runtime_error("cannot migrate the test database");
        users_ = std::make_unique<store::UserStore>(*backend_);
    }

    store::UserStore& users() { return *users_; }
    // The pool the database's reads run on (a test may hold it up).
    BlockingPool& pool() { return pool_; }

    std::int64_t new_user(std::int64_t now) {
        store::WeChatIdentityStore identities{*backend_};
        store::WeChatLogin l;
        l.identity = store::WeChatIdentity{"wxapp", "o-" + std::to_string(++made_), std::nullopt};
        l.session.id = "s-" + std::to_string(made_);
        l.session.refresh_hash = {static_cast<unsigned char>(made_)};
        l.now = now;
        auto r = run_sync(identities.login(std::move(l)));
        EXPECT_TRUE(r);
        return r ? r->user.id : 0;
    }

    void set_nickname(std::int64_t id, std::string const& nickname) {
        sqlite3* db = nullptr;
        ASSERT_EQ(sqlite3_open(path().c_str(), &db), SQLITE_OK);
        std::string sql = "UPDATE users SET nickname = '" + nickname + "' WHERE id = " + std::to_string(id);
        EXPECT_EQ(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
    }

    store::User find(std::int64_t id) {
        auto u = run_sync(users_->find(id));
        EXPECT_TRUE(u);
        return u ? *u : store::User{};
    }

private:
    [[nodiscard]] std::string path() const { return (dir_.path() / "users.db").string(); }

    TempDir dir_{"wxlogin-redis-users"};
    BlockingPool pool_;
    std::unique_ptr<store::SqliteBackend> backend_;
    std::unique_ptr<store::UserStore> users_;
    int made_ = 0;
};

}  // namespace wx::test
