#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/backend.hpp"
#include "store/idle_connections.hpp"
#include "store/sqlite_checkpointer.hpp"
#include "store/sqlite_connection.hpp"

namespace wx::store {

// SQLite: one writer connection owned by a committer thread, and reader connections on the
// blocking pool. SQLite lets one transaction write at a time, so writes are group-committed: the
// committer takes every unit of work queued at that moment (up to 64) into one transaction, one
// savepoint each — a burst of logins costs one WAL append instead of one each. A unit that fails
// rolls back to its savepoint alone; an error that ends the whole transaction (I/O, disk full)
// fails the batch.
// Thread safety: all member functions may be called concurrently.
class SqliteBackend final : public Backend {
public:
    // Opens (creating if needed) the file; unavailable when it cannot, or when another process
    // has it open through this class (see instance_lock_), with the reason logged.
    static result<std::unique_ptr<SqliteBackend>> open(std::string const& path, BlockingPool& pool, Clock const& clock);
    SqliteBackend(SqliteBackend const&) = delete;
    SqliteBackend& operator=(SqliteBackend const&) = delete;
    ~SqliteBackend() override;

    result<void> migrate() override;
    // Brings the schema to exactly `version` (for tests of every upgrade path).
    result<void> migrate_to(std::int64_t version);
    Task<result<void>> ping() override;
    Task<error_code> write(TxBody body) override;
    Task<error_code> read(TxBody body) override;

private:
    struct Pending {
        TxBody body;
        std::function<void(error_code)> done;
    };
    static constexpr std::size_t kMaxBatch = 64;
    static constexpr std::size_t kMaxQueued = 4096;
    static constexpr std::size_t kMaxIdleReaders = 8;

    SqliteBackend(std::string path,
                  int instance_lock,
                  std::unique_ptr<SqliteConnection> writer,
                  BlockingPool& pool,
                  Clock const& clock);
    template <class Token>
    auto async_write(TxBody body, Token token);
    void enqueue(Pending pending);
    void commit_loop();
    void commit_batch(std::deque<Pending>& batch);
    error_code read_now(TxBody const& body);
    result<void> ping_now();
    // Whether the path still names the file we opened. A database unlinked (or replaced) under a
    // running process would otherwise take every write into a file that no restart will see.
    bool file_in_place();
    // The writer's WAL hook: records the WAL's size and wakes the checkpointer.
    static int on_wal_commit(void* self, sqlite3* db, char const* schema, int pages);

    std::string path_;
    // An exclusive flock on PATH.lock for the life of this object: revocations and the user cache
    // live in this process's memory, so a second process on the same file would not see this
    // one's logouts. Several instances need a shared store (MySQL + Redis), not a shared file.
    int instance_lock_;
    BlockingPool& pool_;
    Clock const& clock_;
    // The (device, inode) the path named at open; nullopt when it could not be read (no check).
    std::optional<std::pair<dev_t, ino_t>> identity_;
    std::atomic<bool> vanished_{false};         // last file_in_place() said no; logged on each change
    SqliteCheckpointer checkpointer_;           // before writer_, whose WAL hook calls it
    std::unique_ptr<SqliteConnection> writer_;  // used by the committer, or by migrate() before it
    std::mutex writer_mutex_;
    int wal_pages_ = 0;  // the WAL's size after the writer's last commit (under writer_mutex_)
    IdleConnections<SqliteConnection> readers_;
    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::deque<Pending> queue_;
    bool stopping_ = false;
    std::thread committer_;  // last: started once everything above exists
};

}  // namespace wx::store
