#pragma once

#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

#include "store/sqlite_connection.hpp"

namespace wx::store {

// Copies committed pages from the WAL back into the database file on a thread and connection of
// its own, so that the committer never does. SQLite's automatic checkpoint runs inside the COMMIT
// that crosses 1000 WAL pages, on the writer's thread: with two fsyncs and a thousand page copies
// it stalled every queued write, and took a fifth of WeChat login's rate (docs/performance.md).
// A passive checkpoint here runs beside the writer; the WAL then starts over from its beginning
// at the writer's next transaction after a checkpoint that caught up.
//
// Under writes that never pause, each pass ends behind the frames appended meanwhile and the WAL
// would never start over; the writer bounds that itself: past kWriterPages it checkpoints through
// checkpoint_on(), which by then copies only the few frames this thread has not.
// Thread safety: wal_grew() may be called from any thread; the rest from the owner.
class SqliteCheckpointer {
public:
    // SQLite's own default threshold for its automatic checkpoint.
    static constexpr int kBackgroundPages = 1000;
    // Past this many WAL pages the writer checkpoints itself (see above): 32 MiB at 4 KiB pages.
    static constexpr int kWriterPages = 8000;

    // Opens its own connection to `path` (already a WAL database) on the new thread. When it
    // cannot, it logs why and the writer's own checkpoints still bound the WAL.
    explicit SqliteCheckpointer(std::string path);
    SqliteCheckpointer(SqliteCheckpointer const&) = delete;
    SqliteCheckpointer& operator=(SqliteCheckpointer const&) = delete;
    ~SqliteCheckpointer();

    // The writer committed and its WAL now holds `pages` frames: wakes the thread past
    // kBackgroundPages. Cheap enough for SQLite's WAL hook, which calls it inside COMMIT.
    void wal_grew(int pages);
    // A passive checkpoint on the caller's connection (the writer's), once this thread's pass, if
    // one is running, has finished: two checkpoints at once would only answer SQLITE_BUSY.
    void checkpoint_on(SqliteConnection& writer);
    // Passes completed so far (for tests and for wait_for_pass()).
    [[nodiscard]] std::uint64_t passes() const;
    // Blocks until a pass that started after this call has finished (tests).
    void wait_for_pass();

private:
    void run();

    std::string path_;
    std::mutex pass_mutex_;  // held for every checkpoint, this thread's and checkpoint_on()'s
    mutable std::mutex mutex_;
    std::condition_variable wake_;
    std::condition_variable passed_;
    bool pending_ = false;
    bool running_ = false;
    bool stopping_ = false;
    std::uint64_t passes_ = 0;
    std::thread thread_;  // last: started once everything above exists
};

}  // namespace wx::store
