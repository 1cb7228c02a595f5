// The SQLite file taken away while serving (issue 15, finding 2). Before, every write went on into
// the unlinked file, answered 2xx, and was gone after a restart. Now writes are refused with 503,
// /readyz reports the database down, one error line says why, and all of it clears when the same
// file is back at its path.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "support/http_client.hpp"
#include "support/log_capture.hpp"
#include "support/sessions.hpp"
#include "support/temp_dir.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

namespace fs = std::filesystem;

std::size_t occurrences(std::string const& text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}

std::string database_check(HttpClient& c) {
    auto r = c.get("/readyz");
    if (!r.json.is_object()) return "<no json>";
    auto const* checks = r.json.as_object().if_contains("checks");
    if (!checks || !checks->is_object()) return "<no checks>";
    return json_string(*checks, "database");
}

// Renames the database and its -wal/-shm files (from -> to suffix); false when the main file is
// not there, so that a test cannot pass by moving nothing.
bool move_database(fs::path const& db, std::string_view from, std::string_view to) {
    bool moved_main = false;
    for (std::string_view part : {"", "-wal", "-shm"}) {
        fs::path source = db.string() + std::string{part} + std::string{from};
        if (!fs::exists(source)) continue;
        fs::rename(source, db.string() + std::string{part} + std::string{to});
        moved_main = moved_main || part.empty();
    }
    return moved_main;
}

class VanishedDatabase : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }
    TempDir files_{"wxlogin-vanish"};
    fs::path const db_ = files_.path() / "wxlogin.db";
};

TEST_F(VanishedDatabase, WritesAreRefusedUntilTheFileIsBack) {
    TestApp app{{{"WXLOGIN_DATABASE_URL", "sqlite://" + db_.string()}}};
    HttpClient c = app.client();
    auto before = wechat_login(c, "o_before");
    ASSERT_EQ(before.response.status, 200u) << before.response.body;
    ASSERT_EQ(database_check(c), "ok");

    LogCapture log;
    ASSERT_TRUE(move_database(db_, "", ".away"));
    for (int i = 0; i < 3; ++i) {
        auto login = wechat_login(c, "o_during_" + std::to_string(i));
        EXPECT_EQ(login.response.status, 503u) << login.response.body;
        EXPECT_EQ(login.response.error_code(), "unavailable");
    }
    auto refreshed = refresh(c, before.refresh);
    EXPECT_EQ(refreshed.response.status, 503u) << refreshed.response.body;
    EXPECT_EQ(database_check(c), "down");
    // Token checks need no database: the session from before still reads its profile.
    EXPECT_EQ(c.get("/api/v1/users/me", bearer(before.access)).status, 200u);
    EXPECT_EQ(occurrences(log.text(), "sqlite_file_vanished"), 1u) << log.text();
    EXPECT_EQ(log.text().find(before.refresh), std::string::npos);

    ASSERT_TRUE(move_database(db_, ".away", ""));
    EXPECT_EQ(database_check(c), "ok");
    auto after = wechat_login(c, "o_after");
    EXPECT_EQ(after.response.status, 200u) << after.response.body;
    EXPECT_EQ(occurrences(log.text(), "sqlite_file_restored"), 1u) << log.text();
    EXPECT_EQ(refresh(c, before.refresh).response.status, 200u);

    // What was answered 200 is there after a restart; nothing refused was half-written.
    app.restart();
    EXPECT_EQ(app.query_int("SELECT COUNT(*) FROM wechat_identities"), 2);
}

TEST_F(VanishedDatabase, AnUnlinkedFileKeepsWritesRefused) {
    TestApp app{{{"WXLOGIN_DATABASE_URL", "sqlite://" + db_.string()}}};
    HttpClient c = app.client();
    ASSERT_EQ(wechat_login(c, "o_first").response.status, 200u);
    for (std::string_view part : {"", "-wal", "-shm"}) fs::remove(db_.string() + std::string{part});
    auto login = wechat_login(c, "o_second");
    EXPECT_EQ(login.response.status, 503u) << login.response.body;
    EXPECT_EQ(database_check(c), "down");
    // Another file at the path is not the one the instance opened (README: restart to use it).
    TempDir other{"wxlogin-other"};
    { TestApp fresh{{{"WXLOGIN_DATABASE_URL", "sqlite://" + (other.path() / "x.db").string()}}}; }
    fs::copy_file(other.path() / "x.db", db_);
    EXPECT_EQ(wechat_login(c, "o_third").response.status, 503u);
    EXPECT_EQ(database_check(c), "down");
}

}  // namespace
}  // namespace wx::test
