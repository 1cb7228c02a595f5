// A fleet of two on a private MariaDB server that crashes (SIGKILL) while both instances are
// logging users in: every answer is a 200 or a 503, never a 500; a revoked token stays refused
// on both instances while the database is away; a live one keeps working (verifying a token
// needs no database); logins resume by themselves once it is back; and what the crash cut off
// left nothing behind — every user has its identity, every session its refresh token, and every
// login answered 200 is there.
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "support/fleet.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"

namespace wx::test {
namespace {

using namespace std::chrono_literals;

constexpr char const* kMe = "/api/v1/users/me";

std::int64_t count(MariadbAdmin& db, std::string const& sql) { return std::stoll(db.query(sql).at(0).at(0).value()); }

TEST(FleetDatabaseFault, ACrashMidRunLetsNoRevokedTokenThroughAndLeavesNothingHalfWritten) {
    init_test_process();
    MariadbServer server;
    MariadbAdmin{server.config("mysql")}.exec("CREATE DATABASE fleet");
    // Short waits, so that the outage answers 503 quickly rather than after the defaults' seconds.
    Fleet fleet{FleetOptions{.env = {{"WXLOGIN_DB_POOL_TIMEOUT_MS", "1000"}, {"WXLOGIN_DB_QUERY_TIMEOUT_MS", "1000"}}},
                server.url("fleet")};
    HttpClient a = fleet.client(0);
    HttpClient b = fleet.client(1);
    auto revoked = fleet.wechat_login(a);
    ASSERT_EQ(revoked.status, 200u) << revoked.body;
    std::string const revoked_token = json_string(revoked.json, "access_token");
    ASSERT_EQ(a.post("/api/v1/auth/logout", "", bearer(revoked_token)).status, 204u);
    ASSERT_TRUE(wait_until("B refuses the logout", [&] { return b.get(kMe, bearer(revoked_token)).status == 401u; }));
    auto live = fleet.wechat_login(b);
    ASSERT_EQ(live.status, 200u);
    std::string const live_token = json_string(live.json, "access_token");

    // Four threads log new users in over both instances, bounded in count and time, through the
    // crash and the restart.
    constexpr int kThreads = 4;
    constexpr int kPerThread = 150;
    std::atomic<bool> stop{false};
    std::atomic<int> ok{0};
    std::atomic<int> unavailable{0};
    std::mutex mutex;
    std::vector<std::int64_t> logged_in;  // user ids answered 200
    std::vector<std::string> unexpected;  // anything but 200 and 503 unavailable
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            HttpClient c = fleet.client(t % 2);
            for (int i = 0; i < kPerThread && !stop; ++i) {
                auto r = fleet.wechat_login(c);
                std::lock_guard lock{mutex};
                if (r.status == 200u) {
                    logged_in.push_back(r.json.at("user").at("id").as_int64());
                    ++ok;
                } else if (r.status == 503u && r.error_code() == "unavailable") {
                    ++unavailable;
                    std::this_thread::sleep_for(20ms);  // a client backing off, and a bounded loop
                } else {
                    unexpected.push_back(std::to_string(r.status) + " " + r.body);
                }
            }
        });
    }
    ASSERT_TRUE(wait_until("logins under way", [&] { return ok >= 20; }));
    server.crash();
    int const ok_at_crash = ok;
    ASSERT_TRUE(wait_until("logins refused while the database is away", [&] { return unavailable >= 8; }));
    for (auto* c : {&a, &b}) {
        EXPECT_EQ(c->get(kMe, bearer(revoked_token)).error_code(), "token_revoked") << "never un-revoked by an outage";
        EXPECT_EQ(c->get(kMe, bearer(live_token)).status, 200u) << "a live token needs no database";
    }
    server.start();
    ASSERT_TRUE(wait_until(
        "logins succeed again without a restart", [&] { return ok >= ok_at_crash + 20; }, 30s));
    stop = true;
    for (auto& th : threads) th.join();
    std::cout << "[ figures ] " << ok << " logins answered 200, " << unavailable << " answered 503 around the crash\n";
    EXPECT_TRUE(unexpected.empty()) << unexpected.size() << " unexpected answers, first: " << unexpected.front();
    for (auto* c : {&a, &b}) EXPECT_EQ(c->get(kMe, bearer(revoked_token)).error_code(), "token_revoked");

    MariadbAdmin db{server.config("fleet")};
    EXPECT_EQ(count(db,
                    "SELECT COUNT(*) FROM users u WHERE NOT EXISTS "
                    "(SELECT 1 FROM wechat_identities w WHERE w.user_id = u.id)"),
              0)
        << "a user without its identity: a login half-written";
    EXPECT_EQ(count(db,
                    "SELECT COUNT(*) FROM sessions s WHERE NOT EXISTS "
                    "(SELECT 1 FROM refresh_tokens r WHERE r.session_id = s.id)"),
              0)
        << "a session without its refresh token";
    for (std::int64_t const id : logged_in) {
        ASSERT_EQ(count(db, "SELECT COUNT(*) FROM sessions WHERE user_id = " + std::to_string(id)), 1)
            << "user " << id << " was answered 200 but its login is not in the database";
    }
}

}  // namespace
}  // namespace wx::test
