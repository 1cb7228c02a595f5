#pragma once

#include <functional>
#include <optional>
#include <utility>

#include "core/task.hpp"
#include "store/errors.hpp"
#include "store/pool_stats.hpp"
#include "store/transaction.hpp"

namespace wx::store {

// A unit of work run inside one transaction. Returning an error rolls the unit back; returning
// Errc::conflict (a lost race, see transaction.hpp) asks the backend to run it again from the
// start. Type-erased so that one virtual call serves every result type; see write()/read() below.
using TxBody = std::function<error_code(Transaction&)>;

// How often a unit that keeps losing races is run before the store gives up with Errc::busy
// (503 unavailable, never a 500): a conflict means a concurrent transaction committed, so each
// rerun sees more of the truth and the second one normally succeeds.
inline constexpr int kMaxAttempts = 4;

// A database: where transactions run and how the schema is kept: SQLite, or MySQL/MariaDB.
// Blocking work runs off the caller's thread; every call may fail with Errc::overloaded when the
// backend's queue is full, and with busy/unavailable when the database is.
// Thread safety: all member functions may be called concurrently.
class Backend {
public:
    virtual ~Backend() = default;

    // Creates or upgrades the schema to the newest version this build knows; idempotent.
    // Synchronous: it runs once before serving, or as `wxlogin migrate`.
    virtual result<void> migrate() = 0;
    virtual Task<result<void>> ping() = 0;
    // The connection pool's figures, for a backend that has one (MySQL); nullopt otherwise.
    [[nodiscard]] virtual std::optional<PoolStats> pool_stats() const { return std::nullopt; }

    // Runs `body` in a read-write transaction, commits when it succeeds and rolls back otherwise,
    // so no half-written change survives; reruns it on Errc::conflict, up to kMaxAttempts.
    virtual Task<error_code> write(TxBody body) = 0;
    // Runs `body` in a read-only transaction (one consistent snapshot).
    virtual Task<error_code> read(TxBody body) = 0;
};

// The rerun loop every backend shares: `attempt()` runs the unit once in a fresh transaction (or
// savepoint) and answers how it ended.
template <class Attempt>
error_code run_with_retries(Attempt&& attempt) {
    for (int i = 1;; ++i) {
        error_code ec = attempt();
        if (ec != Errc::conflict) return ec;
        if (i == kMaxAttempts) return make_error_code(Errc::busy);
    }
}

namespace detail {
// Runs a typed body through one of Backend's type-erased calls (write or read).
template <class R, class Body>
Task<result<R>> run_typed(Backend& backend, Task<error_code> (Backend::*run)(TxBody), Body body) {
    std::optional<result<R>> out;
    TxBody erased = [&out, &body](Transaction& tx) -> error_code {
        out.emplace(body(tx));
        return out->has_value() ? error_code{} : out->error();
    };
    error_code ec = co_await (backend.*run)(std::move(erased));
    if (ec) co_return ec;
    co_return std::move(*out);
}
}  // namespace detail

// write()/read() with a typed result: `body(tx)` returns result<R>. The body may run several
// times (reruns) and on another thread; it must only touch `tx` and its own captures.
template <class R, class Body>
Task<result<R>> write(Backend& backend, Body body) {
    return detail::run_typed<R>(backend, &Backend::write, std::move(body));
}

template <class R, class Body>
Task<result<R>> read(Backend& backend, Body body) {
    return detail::run_typed<R>(backend, &Backend::read, std::move(body));
}

}  // namespace wx::store
