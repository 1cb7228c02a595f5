// SQLite's automatic checkpoint is replaced by SqliteCheckpointer (a thread of its own, and the
// committer's own checkpoint past kWriterPages): whatever runs the checkpoints, the WAL file must
// stay bounded while writes go on without pause, and every write must still be there.

#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/sqlite_backend.hpp"
#include "store/sqlite_checkpointer.hpp"
#include "support/run_sync.hpp"
#include "support/temp_dir.hpp"
#include "support/test_app.hpp"

namespace wx::store {
namespace {

constexpr int kWrites = 3000;
constexpr int kChangesPerWrite = 4;
constexpr std::size_t kSubjectBytes = 3000;  // more than half a 4 KiB page: a page per change
constexpr std::uintmax_t kPageBytes = 4096;  // SQLite's default page size
// What is written is well past the writer's own threshold, so the bound below means something.
static_assert(kWrites * kChangesPerWrite > SqliteCheckpointer::kWriterPages * 5 / 4);

TEST(SqliteWalBound, TheWalStaysBoundedUnderWritesWithoutPause) {
    test::init_test_process();
    test::TempDir dir{"wxlogin-wal"};
    auto const path = (dir.path() / "wal.db").string();
    TestClock clock{1'800'000'000};
    BlockingPool pool{"wal", 2, 64};
    auto opened = SqliteBackend::open(path, pool, clock);
    ASSERT_TRUE(opened) << opened.error().message();
    auto& backend = **opened;
    ASSERT_TRUE(backend.migrate());

    std::string const subject(kSubjectBytes, 's');
    std::uintmax_t largest_wal = 0;
    for (int i = 0; i < kWrites; ++i) {
        auto ec = test::run_sync(backend.write([&](Transaction& tx) -> error_code {
            for (int c = 0; c < kChangesPerWrite; ++c)
                if (auto r = tx.append_change(ChangeKind::user_changed, subject, 0, i); !r) return r.error();
            return {};
        }));
        ASSERT_FALSE(ec) << ec.message();
        largest_wal = std::max(largest_wal, std::filesystem::file_size(path + "-wal"));
    }
    EXPECT_LE(largest_wal, kPageBytes * (SqliteCheckpointer::kWriterPages + 200)) << largest_wal / kPageBytes;

    auto last = test::run_sync(backend.read([&](Transaction& tx) -> error_code {
        auto seq = tx.last_change_seq();
        if (!seq) return seq.error();
        EXPECT_EQ(*seq, std::int64_t{kWrites} * kChangesPerWrite);
        return {};
    }));
    EXPECT_FALSE(last) << last.message();
}

}  // namespace
}  // namespace wx::store
