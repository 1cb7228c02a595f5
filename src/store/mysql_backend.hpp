#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/backend.hpp"
#include "store/connection_pool.hpp"
#include "store/mysql_connection.hpp"
#include "store/mysql_pool_config.hpp"
#include "store/store_config.hpp"

namespace wx::store {

// MariaDB/MySQL (InnoDB) through libmariadb: a pool of connections, and every unit of work in its
// own transaction on one of them, run on the blocking pool. Unlike SQLite there is no group
// commit and no single writer: units run side by side and row locks order them.
//
// Isolation: REPEATABLE READ, InnoDB's own default, for writes and reads. A write unit sees one
// snapshot, taken at its first plain read — SQLite's write transaction also sees one state — and
// its locking reads and writes act on the latest committed rows under row locks. How the races of
// the contract resolve:
//   - concurrent first logins of one openid: each sees no identity in its snapshot (no lock is
//     taken on the missing key: a locking read there would take a gap lock, and contenders would
//     deadlock on each other's gap locks until some ran out of reruns); the first INSERT of the
//     identity wins, the others wait on its unique key, get a duplicate once it commits
//     (insert_identity answers false), roll back with the user they had inserted, and the rerun
//     finds the identity;
//   - concurrent refreshes of one token: lock_refresh_token is SELECT ... FOR UPDATE, so they
//     queue on the token row; the second sees it spent and revokes the session, later ones see
//     the session revoked;
//   - concurrent registrations of one name: the unique key, as for identities;
//   - concurrent binds of one identity: the "nobody else owns it" check and the later locked read
//     of the identity both come from the unit's snapshot, and an identity inserted since is a
//     duplicate at our INSERT: conflict, and the rerun sees the owner.
// READ COMMITTED would give each statement its own snapshot, so the bind check and the lookup
// after it could disagree; SERIALIZABLE would turn every plain read into a shared next-key lock,
// with the gap-lock deadlocks above.
// One race this does not close: two identities with one unionid but different openids created at
// the same moment for different users (the same person's first logins in two apps within
// milliseconds, or binds of them to two accounts). Nothing unique or locked covers "an identity
// with this unionid", on SQLite only the single writer does.
//
// A deadlock (InnoDB rolled the transaction back) and a duplicate key are Errc::conflict, and the
// unit is rerun (run_with_retries); a lock wait past the query timeout is busy. A lost connection
// is discarded; when it was found dead at the unit's first statement — nothing of the unit reached
// the server — the unit starts again on a fresh connection, otherwise it fails with unavailable
// (the server rolls an unfinished transaction back; a COMMIT whose answer was lost is reported as
// unavailable too, though it may have committed).
// Thread safety: all member functions may be called concurrently.
class MysqlBackend final : public Backend {
public:
    // Connects once to check the address, credentials and database (unavailable when it cannot,
    // with the client library's reason in `*why`, which never contains the password). `steady_now`
    // measures the pool's idle times and lifetimes (tests pass their own).
    static result<std::unique_ptr<MysqlBackend>> open(MysqlConfig const& server,
                                                      MysqlPoolConfig const& pool,
                                                      BlockingPool& blocking,
                                                      Clock const& clock,
                                                      std::string* why = nullptr,
                                                      SteadyNow steady_now = {});
    MysqlBackend(MysqlBackend const&) = delete;
    MysqlBackend& operator=(MysqlBackend const&) = delete;
    ~MysqlBackend() override = default;

    // Synchronous, under a server-wide advisory lock (GET_LOCK) per database, so that instances
    // starting together migrate one after the other.
    result<void> migrate() override;
    // Brings the schema to exactly `version` (for tests of every upgrade path).
    result<void> migrate_to(std::int64_t version);
    Task<result<void>> ping() override;
    Task<error_code> write(TxBody body) override;
    Task<error_code> read(TxBody body) override;

    // The pool's numbers (in use, idle, waiting, opened, closed), for metrics.
    [[nodiscard]] std::optional<PoolStats> pool_stats() const override { return pool_.stats(); }

private:
    enum class Kind { write, read };
    using Pool = ConnectionPool<MysqlConnection>;

    MysqlBackend(MysqlConfig server,
                 MysqlPoolConfig const& pool,
                 BlockingPool& blocking,
                 Clock const& clock,
                 SteadyNow steady_now);
    error_code write_now(TxBody const& body);
    error_code read_now(TxBody const& body);
    // Runs the unit once in a fresh transaction.
    error_code attempt(TxBody const& body, Kind kind);
    result<void> ping_now();

    MysqlConfig server_;
    MysqlTimeouts timeouts_;
    BlockingPool& blocking_;
    Clock const& clock_;
    Pool pool_;
};

}  // namespace wx::store
