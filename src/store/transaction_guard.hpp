#pragma once

#include "store/errors.hpp"

namespace wx::store {

// The statements that open, commit and undo one unit of work on a backend.
struct TransactionSql {
    char const* begin;
    char const* commit;
    char const* rollback;
};

// Rolls back unless committed, so every way out of a unit of work but success leaves nothing
// written. `Conn` needs `result<void> exec(char const*)`.
// Thread safety: none; it lives on the stack of the thread running the unit.
template <class Conn>
class TransactionGuard {
public:
    TransactionGuard(Conn& conn, TransactionSql const& sql) : conn_(conn), sql_(sql) {}
    TransactionGuard(TransactionGuard const&) = delete;
    TransactionGuard& operator=(TransactionGuard const&) = delete;
    ~TransactionGuard() { rollback(); }

    result<void> begin() {
        auto r = conn_.exec(sql_.begin);
        open_ = r.has_value();
        return r;
    }
    result<void> commit() {
        auto r = conn_.exec(sql_.commit);
        if (r) open_ = false;
        return r;
    }
    void rollback() {
        if (open_) (void)conn_.exec(sql_.rollback);
        open_ = false;
    }
    // The database ended the transaction itself (an error rolled it back): nothing to undo.
    void abandon() { open_ = false; }

private:
    Conn& conn_;
    TransactionSql const& sql_;
    bool open_ = false;
};

}  // namespace wx::store
