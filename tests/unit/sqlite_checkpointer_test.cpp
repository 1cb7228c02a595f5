// The checkpointer keeps the writer's WAL from growing: after a pass has caught up, the writer's
// next transaction starts the WAL over, so that transaction is the WAL's only content. Without a
// checkpoint (the writer's automatic one is replaced by the hook), every commit only appends.

#include "store/sqlite_checkpointer.hpp"

#include <gtest/gtest.h>

#include <string>

#include "support/log_capture.hpp"
#include "support/temp_dir.hpp"

namespace wx::store {
namespace {

constexpr int kRowBytes = 3000;  // most of a 4 KiB page each
constexpr int kRowsPastThreshold = SqliteCheckpointer::kBackgroundPages + 200;

struct Writer {
    explicit Writer(std::string const& path, SqliteCheckpointer* to_wake = nullptr)
        : conn(std::move(*SqliteConnection::open(path))), checkpointer(to_wake) {
        conn->set_wal_hook(&Writer::hook, this);
        EXPECT_TRUE(conn->exec("CREATE TABLE IF NOT EXISTS t (v BLOB)"));
    }
    static int hook(void* self, sqlite3*, char const*, int pages) {
        auto& w = *static_cast<Writer*>(self);
        w.wal_pages = pages;
        if (w.checkpointer) w.checkpointer->wal_grew(pages);
        return SQLITE_OK;
    }
    // `rows` rows of kRowBytes in one transaction; the WAL's size in frames after its commit.
    int write(int rows) {
        EXPECT_TRUE(conn->exec("BEGIN IMMEDIATE"));
        for (int i = 0; i < rows; ++i) {
            auto st = conn->prepare("INSERT INTO t (v) VALUES (zeroblob(?))");
            EXPECT_TRUE(st);
            (*st)->bind(1, std::int64_t{kRowBytes});
            EXPECT_EQ((*st)->step(), SQLITE_DONE);
        }
        EXPECT_TRUE(conn->exec("COMMIT"));
        return wal_pages;
    }
    std::unique_ptr<SqliteConnection> conn;
    SqliteCheckpointer* checkpointer;
    int wal_pages = 0;
};

TEST(SqliteCheckpointer, WithoutACheckpointTheWalOnlyGrows) {
    test::TempDir dir;
    Writer writer{(dir.path() / "db.sqlite").string()};
    int const big = writer.write(kRowsPastThreshold);
    EXPECT_GT(big, SqliteCheckpointer::kBackgroundPages);
    EXPECT_GT(writer.write(1), big);
}

TEST(SqliteCheckpointer, APassPastTheThresholdLetsTheNextTransactionStartTheWalOver) {
    test::TempDir dir;
    auto const path = (dir.path() / "db.sqlite").string();
    Writer setup{path};  // the file exists, in WAL mode, before the checkpointer opens it
    SqliteCheckpointer checkpointer{path};
    Writer writer{path, &checkpointer};
    EXPECT_GT(writer.write(kRowsPastThreshold), SqliteCheckpointer::kBackgroundPages);
    checkpointer.wait_for_pass();
    EXPECT_GE(checkpointer.passes(), 1u);
    EXPECT_LT(writer.write(1), 10);
}

TEST(SqliteCheckpointer, BelowTheThresholdNoPassIsStarted) {
    test::TempDir dir;
    auto const path = (dir.path() / "db.sqlite").string();
    Writer setup{path};
    SqliteCheckpointer checkpointer{path};
    Writer writer{path, &checkpointer};
    int const small = writer.write(10);
    EXPECT_LT(small, SqliteCheckpointer::kBackgroundPages);
    EXPECT_EQ(checkpointer.passes(), 0u);
    EXPECT_GT(writer.write(1), small);  // nothing was copied back, so the WAL still appends
}

TEST(SqliteCheckpointer, TheWritersOwnCheckpointWorksWhenTheThreadHasNoConnection) {
    test::TempDir dir;
    auto const path = (dir.path() / "db.sqlite").string();
    test::LogCapture log;
    SqliteCheckpointer unusable{(dir.path() / "no-such-dir" / "db.sqlite").string()};
    unusable.wait_for_pass();  // its thread has tried to open its connection by now
    EXPECT_NE(log.text().find("sqlite_checkpointer_unavailable"), std::string::npos) << log.text();

    Writer writer{path, &unusable};
    EXPECT_GT(writer.write(kRowsPastThreshold), SqliteCheckpointer::kBackgroundPages);
    unusable.checkpoint_on(*writer.conn);
    EXPECT_LT(writer.write(1), 10);
}

}  // namespace
}  // namespace wx::store
