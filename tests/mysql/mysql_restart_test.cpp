// Faults of a private MariaDB server (a MariadbServer this test stops, crashes, freezes and
// restarts): while it is down, units fail with unavailable within a bound (never a hang, never a
// 500); once it is back they succeed on the same backend, without reopening it; and a unit cut
// off halfway leaves nothing behind.
#include <gtest/gtest.h>

#include <atomic>
#include <future>

#include "auth/refresh_token.hpp"
#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/mysql_backend.hpp"
#include "store/session_store.hpp"
#include "store/user_store.hpp"
#include "store/wechat_identity_store.hpp"
#include "support/mariadb_server.hpp"
#include "support/run_sync.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"

namespace wx::store {
namespace {

using namespace std::chrono_literals;
using test::run_sync;

constexpr std::int64_t kNow = 1'800'000'000;
// Far beyond the pool timeout and the socket timeouts below (1 s + 2 s): only a hang takes this long.
constexpr auto kBound = 30s;

WeChatLogin login_of(std::string openid) {
    WeChatLogin l;
    l.identity = WeChatIdentity{"wxapp1", std::move(openid), std::nullopt};
    l.session_key_sealed = {1, 2, 3};
    l.session.id = auth::new_id();
    l.session.refresh_hash = auth::new_refresh_token(kNow * 1000).key;
    l.session.created_at = kNow;
    l.session.expires_at = kNow + 3600;
    l.session.access_expires_at = kNow + 600;
    l.now = kNow;
    return l;
}

class MysqlRestart : public ::testing::Test {
protected:
    void SetUp() override {
        test::init_test_process();
        test::MariadbAdmin{server_.config("mysql")}.exec("CREATE DATABASE wx");
        MysqlPoolConfig pool;
        pool.max_size = 3;
        pool.connection_timeout = 1000ms;
        pool.query_timeout = 1000ms;
        std::string why;
        auto opened = MysqlBackend::open(server_.config("wx"), pool, blocking_, clock_, &why);
        ASSERT_TRUE(opened) << why;
        backend_ = std::move(*opened);
        ASSERT_TRUE(backend_->migrate());
        identities_.emplace(*backend_);
        accounts_.emplace(*backend_);
    }

    // Runs `task` on another thread and answers its result, failing the test if it does not end
    // within kBound.
    template <class T>
    std::optional<T> bounded(Task<T> task) {
        auto f = std::async(std::launch::async, [&task] { return run_sync(std::move(task)); });
        if (f.wait_for(kBound) != std::future_status::ready) {
            ADD_FAILURE() << "a unit of work did not end within " << kBound.count() << " s";
            server_.thaw();
            server_.start();
            f.wait();
            return std::nullopt;
        }
        return f.get();
    }

    result<LoginOutcome> login(std::string openid) {
        return bounded(identities_->login(login_of(std::move(openid)))).value_or(make_error_code(Errc::internal));
    }

    test::MariadbServer server_;
    TestClock clock_{kNow};
    BlockingPool blocking_{"mysql-restart-test", 4, 64};
    std::unique_ptr<MysqlBackend> backend_;
    std::optional<WeChatIdentityStore> identities_;
    std::optional<UserStore> accounts_;
};

TEST_F(MysqlRestart, UnitsFailWithUnavailableWhileTheServerIsDownAndSucceedOnceItIsBack) {
    auto before = login("o-before");
    ASSERT_TRUE(before) << before.error().message();

    server_.stop();
    auto down = login("o-down");
    ASSERT_FALSE(down);
    EXPECT_EQ(down.error(), Errc::unavailable);
    auto read_down = bounded(accounts_->find(before->user.id));
    ASSERT_TRUE(read_down);
    ASSERT_FALSE(*read_down);
    EXPECT_EQ(read_down->error(), Errc::unavailable);
    auto ping_down = bounded(backend_->ping());
    ASSERT_TRUE(ping_down);
    EXPECT_FALSE(*ping_down);

    server_.start();
    auto back = login("o-before");
    ASSERT_TRUE(back) << "the first unit after the restart: " << back.error().message();
    EXPECT_FALSE(back->created);
    EXPECT_EQ(back->user.id, before->user.id);
    auto after = login("o-after");
    ASSERT_TRUE(after) << after.error().message();
    EXPECT_TRUE(after->created);
}

TEST_F(MysqlRestart, AFrozenServerFailsUnitsWithinTheTimeoutsAndTheBackendRecoversAfterIt) {
    ASSERT_TRUE(login("o-warm"));
    server_.freeze();  // accepts connections (the kernel does), answers nothing
    auto frozen = login("o-frozen");
    ASSERT_FALSE(frozen);
    EXPECT_EQ(frozen.error(), Errc::unavailable);
    server_.thaw();
    auto thawed = login("o-thawed");
    ASSERT_TRUE(thawed) << thawed.error().message();
    EXPECT_TRUE(thawed->created);
}

TEST_F(MysqlRestart, AUnitCutOffByACrashLeavesNothingBehind) {
    std::promise<void> crashed;
    std::atomic<bool> inside{false};
    auto after_crash = crashed.get_future().share();
    auto half = [&inside, after_crash](Transaction& tx) -> result<void> {
        NewUserRow row;
        row.username = "half";
        row.username_key = "half";
        row.now = kNow;
        if (auto id = tx.insert_user(row); !id) return id.error();
        inside = true;
        after_crash.wait();
        return tx.insert_session(1, login_of("o-half").session);  // the server is gone
    };
    auto unit = std::async(std::launch::async, [&] { return run_sync(write<void>(*backend_, half)); });
    ASSERT_TRUE(test::wait_until("the unit wrote its first row", [&] { return inside.load(); }));
    server_.crash();
    crashed.set_value();
    ASSERT_EQ(unit.wait_for(kBound), std::future_status::ready);
    auto cut = unit.get();
    ASSERT_FALSE(cut);
    EXPECT_EQ(cut.error(), Errc::unavailable);

    server_.start();
    auto ghost = bounded(accounts_->credentials_by_username_key("half"));
    ASSERT_TRUE(ghost);
    ASSERT_TRUE(*ghost) << ghost->error().message();
    EXPECT_FALSE(ghost->value().has_value()) << "the insert died with its transaction";
}

}  // namespace
}  // namespace wx::store
