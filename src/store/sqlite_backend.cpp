#include "store/sqlite_backend.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "obs/log.hpp"
#include "store/migrations.hpp"
#include "store/sqlite_schema.hpp"
#include "store/sqlite_transaction.hpp"
#include "store/transaction_guard.hpp"

namespace wx::store {
namespace {

constexpr TransactionSql kWriteTx{"BEGIN IMMEDIATE", "COMMIT", "ROLLBACK"};
constexpr TransactionSql kReadTx{"BEGIN", "COMMIT", "ROLLBACK"};
constexpr TransactionSql kUnit{"SAVEPOINT unit", "RELEASE unit", "ROLLBACK TO unit; RELEASE unit"};

result<int> lock_instance(std::string const& db_path) {
    std::string lock_path = db_path + ".lock";
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        obs::log_error("sqlite_lock_failed", {{"path", lock_path}, {"error", std::strerror(errno)}});
        return make_error_code(Errc::unavailable);
    }
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        obs::log_error("sqlite_in_use", {{"path", db_path},
                                         {"reason",
                                          "another wxlogin process is using this file; an SQLite database serves one "
                                          "instance (several need MySQL and Redis)"}});
        return make_error_code(Errc::unavailable);
    }
    return fd;
}

// The runner's view of the writer connection.
class SqliteMigrationTarget final : public MigrationTarget {
public:
    SqliteMigrationTarget(SqliteConnection& db, std::int64_t now) : db_(db), now_(now) {}

    result<std::int64_t> current_version() override {
        if (auto created = db_.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                                    "applied_at INTEGER NOT NULL)");
            !created)
            return created.error();
        auto st = db_.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!st) return st.error();
        if ((*st)->step() != SQLITE_ROW) return make_error_code(Errc::internal);
        return (*st)->int64(0);
    }

    result<void> apply(std::int64_t version, std::string_view ddl) override {
        TransactionGuard tx{db_, kWriteTx};
        if (auto begun = tx.begin(); !begun) return begun;
        if (auto ran = db_.exec(std::string{ddl}.c_str()); !ran) return ran;
        auto st = db_.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
        if (!st) return st.error();
        (*st)->bind(1, version).bind(2, now_);
        if ((*st)->step() != SQLITE_DONE) return make_error_code(Errc::internal);
        return tx.commit();
    }

private:
    SqliteConnection& db_;
    std::int64_t now_;
};

std::optional<std::pair<dev_t, ino_t>> identity_of(std::string const& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return std::nullopt;
    return std::pair{st.st_dev, st.st_ino};
}

}  // namespace

result<std::unique_ptr<SqliteBackend>> SqliteBackend::open(std::string const& path,
                                                           BlockingPool& pool,
                                                           Clock const& clock) {
    auto lock = lock_instance(path);
    if (!lock) return lock.error();
    auto writer = SqliteConnection::open(path);
    if (!writer) {
        ::close(*lock);
        return writer.error();
    }
    return std::unique_ptr<SqliteBackend>{new SqliteBackend(path, *lock, std::move(*writer), pool, clock)};
}

SqliteBackend::SqliteBackend(std::string path,
                             int instance_lock,
                             std::unique_ptr<SqliteConnection> writer,
                             BlockingPool& pool,
                             Clock const& clock)
    : path_(std::move(path)),
      instance_lock_(instance_lock),
      pool_(pool),
      clock_(clock),
      identity_(identity_of(path_)),
      checkpointer_(path_),
      writer_(std::move(writer)),
      readers_([this] { return SqliteConnection::open(path_); }, kMaxIdleReaders) {
    writer_->set_wal_hook(&SqliteBackend::on_wal_commit, this);
    committer_ = std::thread([this] { commit_loop(); });
}

SqliteBackend::~SqliteBackend() {
    {
        std::lock_guard lock{queue_mutex_};
        stopping_ = true;
    }
    queue_cv_.notify_all();
    committer_.join();
    ::close(instance_lock_);
}

result<void> SqliteBackend::migrate() { return migrate_to(static_cast<std::int64_t>(kSqliteSchema.size())); }

result<void> SqliteBackend::migrate_to(std::int64_t version) {
    std::lock_guard lock{writer_mutex_};
    SqliteMigrationTarget target{*writer_, clock_.now()};
    return migrate_schema(target, kSqliteSchema, version);
}

template <class Token>
auto SqliteBackend::async_write(TxBody body, Token token) {
    return asio::async_initiate<Token, void(error_code)>(
        [this](auto handler, TxBody b) {
            auto home = asio::get_associated_executor(handler);
            auto guard = asio::prefer(home, asio::execution::outstanding_work.tracked);
            // std::function needs a copyable callable; the coroutine's handler is move-only.
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            auto done = [shared, guard](error_code ec) {
                auto resume = [shared, ec]() mutable { std::move (*shared)(ec); };
                asio::post(guard, std::move(resume));
            };
            enqueue(Pending{std::move(b), std::move(done)});
        },
        token, std::move(body));
}

Task<error_code> SqliteBackend::write(TxBody body) {
    auto [ec] = co_await async_write(std::move(body), use_result);
    co_return ec;
}

void SqliteBackend::enqueue(Pending pending) {
    {
        std::lock_guard lock{queue_mutex_};
        if (queue_.size() < kMaxQueued && !stopping_) {
            queue_.push_back(std::move(pending));
            queue_cv_.notify_one();
            return;
        }
    }
    pending.done(make_error_code(Errc::overloaded));
}

void SqliteBackend::commit_loop() {
    for (;;) {
        std::deque<Pending> batch;
        {
            std::unique_lock lock{queue_mutex_};
            queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to commit
            while (!queue_.empty() && batch.size() < kMaxBatch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        commit_batch(batch);
    }
}

bool SqliteBackend::file_in_place() {
    if (!identity_) return true;
    bool const in_place = identity_of(path_) == identity_;
    if (vanished_.exchange(!in_place) == in_place) {
        // Once per change, however many writes are refused meanwhile.
        if (in_place)
            obs::log_info("sqlite_file_restored", {{"path", path_}});
        else
            obs::log_error("sqlite_file_vanished",
                           {{"path", path_},
                            {"reason",
                             "the database file was deleted or replaced while open; writes are refused (503) "
                             "until the same file is back at this path, or wxlogin is restarted"}});
    }
    return in_place;
}

void SqliteBackend::commit_batch(std::deque<Pending>& batch) {
    std::vector<error_code> outcomes(batch.size());
    if (!file_in_place()) {
        for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(make_error_code(Errc::unavailable));
        return;
    }
    {
        std::lock_guard lock{writer_mutex_};
        auto& db = *writer_;
        SqliteTransaction primitives{db};
        TransactionGuard tx{db, kWriteTx};
        error_code batch_error;
        if (auto begun = tx.begin(); !begun) batch_error = begun.error();
        for (std::size_t i = 0; i < batch.size() && !batch_error; ++i) {
            outcomes[i] = run_with_retries([&]() -> error_code {
                TransactionGuard unit{db, kUnit};
                if (auto opened = unit.begin(); !opened) return opened.error();
                error_code ec = batch[i].body(primitives);
                if (!db.in_transaction()) {
                    // SQLite rolled the whole transaction back (I/O error, disk full): nothing of
                    // this batch survives, so none of it may report success, and rerunning is futile.
                    unit.abandon();
                    tx.abandon();
                    batch_error = ec && ec != Errc::conflict ? ec : make_error_code(Errc::unavailable);
                    return batch_error;
                }
                if (ec) return ec;  // the guard rolls this unit back alone
                if (auto released = unit.commit(); !released) return released.error();
                return {};
            });
        }
        if (!batch_error) {
            if (auto committed = tx.commit(); !committed) batch_error = committed.error();
        }
        if (batch_error) {
            tx.rollback();
            for (auto& o : outcomes) o = batch_error;
        }
        // The background checkpointer could not catch up with a WAL that is written without pause
        // (sqlite_checkpointer.hpp): this checkpoint lets the next transaction start it over.
        if (wal_pages_ >= SqliteCheckpointer::kWriterPages) checkpointer_.checkpoint_on(db);
    }
    for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(outcomes[i]);
}

int SqliteBackend::on_wal_commit(void* self, sqlite3*, char const*, int pages) {
    auto& backend = *static_cast<SqliteBackend*>(self);
    backend.wal_pages_ = pages;
    backend.checkpointer_.wal_grew(pages);
    return SQLITE_OK;
}

Task<error_code> SqliteBackend::read(TxBody body) {
    std::optional<error_code> ec = co_await pool_.run(&SqliteBackend::read_now, this, std::move(body));
    if (!ec) co_return make_error_code(Errc::overloaded);
    co_return *ec;
}

error_code SqliteBackend::read_now(TxBody const& body) {
    auto lease = readers_.lease();
    if (!lease) return lease.error();
    auto& db = **lease;
    SqliteTransaction primitives{db};
    TransactionGuard tx{db, kReadTx};
    if (auto begun = tx.begin(); !begun) return begun.error();
    if (error_code ec = body(primitives)) return ec;
    if (auto done = tx.commit(); !done) return done.error();
    return {};
}

Task<result<void>> SqliteBackend::ping() {
    std::optional<result<void>> r = co_await pool_.run(&SqliteBackend::ping_now, this);
    if (!r) co_return make_error_code(Errc::overloaded);
    co_return *r;
}

result<void> SqliteBackend::ping_now() {
    if (!file_in_place()) return make_error_code(Errc::unavailable);
    auto lease = readers_.lease();
    if (!lease) return lease.error();
    auto st = (*lease)->prepare("SELECT 1");
    if (!st) return st.error();
    if (int rc = (*st)->step(); rc != SQLITE_ROW) {
        obs::log_warn("sqlite_ping_failed", {{"error", (*lease)->last_error()}, {"code", rc}});
        return make_error_code(classify_sqlite(rc));
    }
    return {};
}

}  // namespace wx::store
