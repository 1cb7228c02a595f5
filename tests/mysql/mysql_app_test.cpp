// The real App on MariaDB (WXLOGIN_DATABASE_URL=mysql://... on the fixture's server): the start
// migrates the database, and login, refresh with reuse detection and logout behave as on SQLite,
// including a revocation that survives a restart.
#include <gtest/gtest.h>

#include "support/mariadb_server.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

std::string url_of(store::MysqlConfig const& c) {
    return "mysql://" + c.user + ":" + c.password + "@" + c.host + ":" + std::to_string(c.port) + "/" + c.database;
}

TEST(MysqlApp, SessionsWorkAndARevocationSurvivesARestart) {
    init_test_process();
    MariadbDatabase database;
    TestApp app{{{"WXLOGIN_DATABASE_URL", url_of(database.config())}}};
    HttpClient c = app.client();
    EXPECT_EQ(c.get("/readyz").status, 200u);

    auto first = wechat_login(c, "o_mysql_app");
    ASSERT_EQ(first.response.status, 200u) << first.response.body;
    EXPECT_EQ(c.get("/api/v1/users/me", bearer(first.access)).status, 200u);
    auto again = wechat_login(c, "o_mysql_app");
    ASSERT_EQ(again.response.status, 200u) << again.response.body;
    EXPECT_EQ(again.user_id, first.user_id) << "the same openid is the same user";

    auto rotated = refresh(c, first.refresh);
    ASSERT_EQ(rotated.response.status, 200u) << rotated.response.body;
    auto reused = refresh(c, first.refresh);
    EXPECT_EQ(reused.response.status, 401u) << "a spent refresh token ends its family";
    EXPECT_EQ(c.get("/api/v1/users/me", bearer(rotated.access)).status, 401u);

    EXPECT_EQ(c.post("/api/v1/auth/logout", "", bearer(again.access)).status, 204u);
    EXPECT_EQ(c.get("/api/v1/users/me", bearer(again.access)).status, 401u);

    app.restart();  // the revocations are read back from MariaDB
    HttpClient after = app.client();
    EXPECT_EQ(after.get("/api/v1/users/me", bearer(again.access)).status, 401u);
    EXPECT_EQ(after.get("/api/v1/users/me", bearer(rotated.access)).status, 401u);
    auto fresh = wechat_login(after, "o_mysql_app");
    ASSERT_EQ(fresh.response.status, 200u) << fresh.response.body;
    EXPECT_EQ(fresh.user_id, first.user_id);
}

}  // namespace
}  // namespace wx::test
