#include "store/sqlite_checkpointer.hpp"

#include "obs/log.hpp"

namespace wx::store {

SqliteCheckpointer::SqliteCheckpointer(std::string path) : path_(std::move(path)) {
    thread_ = std::thread([this] { run(); });
}

SqliteCheckpointer::~SqliteCheckpointer() {
    {
        std::lock_guard lock{mutex_};
        stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
}

void SqliteCheckpointer::wal_grew(int pages) {
    if (pages < kBackgroundPages) return;
    {
        std::lock_guard lock{mutex_};
        if (pending_) return;
        pending_ = true;
    }
    wake_.notify_one();
}

std::uint64_t SqliteCheckpointer::passes() const {
    std::lock_guard lock{mutex_};
    return passes_;
}

void SqliteCheckpointer::wait_for_pass() {
    std::unique_lock lock{mutex_};
    // A pass already running may have started before the caller's last write: wait for the next.
    std::uint64_t const target = passes_ + (running_ ? 2 : 1);
    pending_ = true;
    wake_.notify_one();
    passed_.wait(lock, [&] { return passes_ >= target || stopping_; });
}

namespace {

void checkpoint(SqliteConnection& conn) {
    // SQLITE_BUSY only means that another process is checkpointing the same file right now.
    if (int rc = conn.checkpoint_passive(); rc != SQLITE_OK && rc != SQLITE_BUSY)
        obs::log_error("sqlite_checkpoint_failed", {{"error", sqlite3_errstr(rc)}});
}

}  // namespace

void SqliteCheckpointer::checkpoint_on(SqliteConnection& writer) {
    std::lock_guard pass{pass_mutex_};
    checkpoint(writer);
}

void SqliteCheckpointer::run() {
    auto conn = SqliteConnection::open(path_);
    if (!conn)
        obs::log_error("sqlite_checkpointer_unavailable",
                       {{"reason", "cannot open its own connection; the writer checkpoints the WAL itself"}});
    std::unique_lock lock{mutex_};
    for (;;) {
        wake_.wait(lock, [this] { return pending_ || stopping_; });
        if (stopping_) break;
        pending_ = false;
        running_ = true;
        lock.unlock();
        if (conn) {
            std::lock_guard pass{pass_mutex_};
            checkpoint(**conn);
        }
        lock.lock();
        running_ = false;
        ++passes_;
        passed_.notify_all();
    }
    passed_.notify_all();
}

}  // namespace wx::store
