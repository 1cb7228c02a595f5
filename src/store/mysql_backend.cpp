#include "store/mysql_backend.hpp"

#include <string_view>
#include <vector>

#include "obs/log.hpp"
#include "store/migrations.hpp"
#include "store/mysql_schema.hpp"
#include "store/mysql_transaction.hpp"
#include "store/transaction_guard.hpp"

namespace wx::store {
namespace {

constexpr TransactionSql kWriteTx{"START TRANSACTION", "COMMIT", "ROLLBACK"};
constexpr TransactionSql kReadTx{"START TRANSACTION READ ONLY, WITH CONSISTENT SNAPSHOT", "COMMIT", "ROLLBACK"};

// How long `migrate` waits for another instance's migration to finish.
constexpr int kMigrationLockSeconds = 120;

PoolLimits limits_of(MysqlPoolConfig const& c) {
    PoolLimits l;
    l.max_size = c.max_size;
    l.connection_timeout = c.connection_timeout;
    l.idle_timeout = c.idle_timeout;
    l.max_lifetime = c.max_lifetime;
    return l;
}

// The statements of one schema version (kMysqlSchema separates them with ';' and has no other).
std::vector<std::string> statements(std::string_view ddl) {
    std::vector<std::string> out;
    while (!ddl.empty()) {
        auto end = ddl.find(';');
        std::string_view one = ddl.substr(0, end);
        auto first = one.find_first_not_of(" \n\t");
        if (first != std::string_view::npos) out.emplace_back(one.substr(first));
        if (end == std::string_view::npos) break;
        ddl.remove_prefix(end + 1);
    }
    return out;
}

// The runner's view of one connection. MariaDB commits each DDL statement by itself, so a
// version is recorded right after its last statement, and every statement is safe to repeat
// (mysql_schema.hpp): an interrupted migration is finished by the next one.
class MysqlMigrationTarget final : public MigrationTarget {
public:
    MysqlMigrationTarget(MysqlConnection& db, std::int64_t now) : db_(db), now_(now) {}

    result<std::int64_t> current_version() override {
        if (auto created =
                db_.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT NOT NULL PRIMARY KEY, "
                         "applied_at BIGINT NOT NULL) ENGINE=InnoDB");
            !created)
            return created.error();
        auto q = db_.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!q) return q.error();
        if (auto ran = q->execute(); !ran) return ran.error();
        auto row = q->fetch();
        if (!row) return row.error();
        if (!*row) return make_error_code(Errc::internal);
        return q->int64(0);
    }

    result<void> apply(std::int64_t version, std::string_view ddl) override {
        for (auto const& statement : statements(ddl))
            if (auto ran = db_.exec(statement.c_str()); !ran) return ran;
        auto q = db_.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
        if (!q) return q.error();
        q->bind(version).bind(now_);
        return q->execute();
    }

private:
    MysqlConnection& db_;
    std::int64_t now_;
};

// GET_LOCK's answer: 1 taken, 0 timed out, NULL error.
result<bool> advisory_lock(MysqlConnection& db, char const* sql, std::int64_t seconds) {
    auto q = db.prepare(sql);
    if (!q) return {boost::system::in_place_error, q.error()};
    if (seconds >= 0) q->bind(seconds);
    if (auto ran = q->execute(); !ran) return {boost::system::in_place_error, ran.error()};
    auto row = q->fetch();
    if (!row) return {boost::system::in_place_error, row.error()};
    return *row && !q->is_null(0) && q->int64(0) == 1;
}

}  // namespace

result<std::unique_ptr<MysqlBackend>> MysqlBackend::open(MysqlConfig const& server,
                                                         MysqlPoolConfig const& pool,
                                                         BlockingPool& blocking,
                                                         Clock const& clock,
                                                         std::string* why,
                                                         SteadyNow steady_now) {
    // One connection now, so that a wrong address, password or database stops the start with
    // the reason instead of surfacing as 503s later.
    auto probe = MysqlConnection::open(server, MysqlTimeouts{pool.connection_timeout, pool.query_timeout}, why);
    if (!probe) return probe.error();
    probe->reset();
    if (!steady_now) steady_now = &std::chrono::steady_clock::now;
    return std::unique_ptr<MysqlBackend>{new MysqlBackend(server, pool, blocking, clock, std::move(steady_now))};
}

MysqlBackend::MysqlBackend(
    MysqlConfig server, MysqlPoolConfig const& pool, BlockingPool& blocking, Clock const& clock, SteadyNow steady_now)
    : server_(std::move(server)),
      timeouts_{pool.connection_timeout, pool.query_timeout},
      blocking_(blocking),
      clock_(clock),
      pool_(
          [this](std::chrono::milliseconds budget) {
              return MysqlConnection::open(server_, MysqlTimeouts{budget, timeouts_.query});
          },
          [](MysqlConnection& c) { return c.ping(); },
          limits_of(pool),
          std::move(steady_now)) {}

result<void> MysqlBackend::migrate() { return migrate_to(static_cast<std::int64_t>(kMysqlSchema.size())); }

result<void> MysqlBackend::migrate_to(std::int64_t version) {
    auto lease = pool_.acquire();
    if (!lease) return lease.error();
    auto& db = **lease;
    // Lock names are server-wide and at most 64 characters: one per database, by its name's digest.
    auto locked =
        advisory_lock(db, "SELECT GET_LOCK(CONCAT('wxlogin_migrate_', MD5(DATABASE())), ?)", kMigrationLockSeconds);
    if (!locked) {
        if (db.broken()) lease->discard();
        return locked.error();
    }
    if (!*locked) {
        obs::log_error("schema_migration_lock_timeout", {{"seconds", kMigrationLockSeconds}});
        return make_error_code(Errc::busy);
    }
    MysqlMigrationTarget target{db, clock_.now()};
    auto migrated = migrate_schema(target, kMysqlSchema, version);
    auto released = advisory_lock(db, "SELECT RELEASE_LOCK(CONCAT('wxlogin_migrate_', MD5(DATABASE())))", -1);
    if (db.broken() || !released) lease->discard();  // a lock held by a closed connection is released
    return migrated;
}

Task<error_code> MysqlBackend::write(TxBody body) {
    std::optional<error_code> ec = co_await blocking_.run(&MysqlBackend::write_now, this, std::move(body));
    if (!ec) co_return make_error_code(Errc::overloaded);
    co_return *ec;
}

Task<error_code> MysqlBackend::read(TxBody body) {
    std::optional<error_code> ec = co_await blocking_.run(&MysqlBackend::read_now, this, std::move(body));
    if (!ec) co_return make_error_code(Errc::overloaded);
    co_return *ec;
}

error_code MysqlBackend::write_now(TxBody const& body) {
    return run_with_retries([&] { return attempt(body, Kind::write); });
}

// A consistent read takes no locks, so it cannot lose a race: no reruns.
error_code MysqlBackend::read_now(TxBody const& body) { return attempt(body, Kind::read); }

namespace {

// The unit in one transaction on `db`: committed when the body succeeds, rolled back (by the
// guard, before this returns) otherwise. `started`: whether the transaction was opened, i.e.
// whether anything of the unit may have reached the server.
error_code run_once(MysqlConnection& db, TxBody const& body, TransactionSql const& sql, bool& started) {
    TransactionGuard tx{db, sql};
    if (auto begun = tx.begin(); !begun) return begun.error();
    started = true;
    MysqlTransaction primitives{db};
    error_code ec = body(primitives);
    if (!ec) {
        if (auto committed = tx.commit(); !committed) ec = committed.error();
    }
    if (db.broken()) tx.abandon();  // the server rolls back what it did not commit
    return ec;
}

}  // namespace

error_code MysqlBackend::attempt(TxBody const& body, Kind kind) {
    for (bool first_try = true;; first_try = false) {
        auto lease = pool_.acquire();
        if (!lease) return lease.error();
        MysqlConnection& db = **lease;
        bool started = false;
        error_code ec = run_once(db, body, kind == Kind::write ? kWriteTx : kReadTx, started);
        if (!db.broken()) return ec;
        obs::log_warn("mysql_connection_lost",
                      {{"errno", static_cast<std::int64_t>(db.last_error_number())}, {"in_transaction", started}});
        // Its idle neighbours may be dead too (a server restart): they are checked before use.
        lease->discard();
        pool_.suspect_idle();
        // Found dead at START TRANSACTION: nothing of the unit reached the server, so it runs
        // again, once, on a fresh connection. Later, it fails: a COMMIT whose answer was lost
        // may have committed, so never success and never a rerun.
        if (!started && first_try) continue;
        return make_error_code(Errc::unavailable);
    }
}

Task<result<void>> MysqlBackend::ping() {
    std::optional<result<void>> r = co_await blocking_.run(&MysqlBackend::ping_now, this);
    if (!r) co_return make_error_code(Errc::overloaded);
    co_return *r;
}

result<void> MysqlBackend::ping_now() {
    auto lease = pool_.acquire();
    if (!lease) return lease.error();
    if ((*lease)->ping()) return {};
    lease->discard();
    pool_.suspect_idle();
    return make_error_code(Errc::unavailable);
}

}  // namespace wx::store
