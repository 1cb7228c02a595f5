#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/errors.hpp"

namespace wx::store {

// Maps an SQLite result code to store::Errc (busy, conflict, unavailable, internal).
[[nodiscard]] Errc classify_sqlite(int rc) noexcept;

// A prepared statement borrowed from a connection's cache; reset and cleared when it goes away.
class Statement {
public:
    explicit Statement(sqlite3_stmt* stmt) : stmt_(stmt) {}
    Statement(Statement const&) = delete;
    Statement& operator=(Statement const&) = delete;
    ~Statement() {
        sqlite3_reset(stmt_);
        sqlite3_clear_bindings(stmt_);
    }

    Statement& bind(int i, std::int64_t v) { return check(sqlite3_bind_int64(stmt_, i, v)); }
    Statement& bind(int i, std::string_view v) {
        return check(sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Statement& bind(int i, std::string const& v) { return bind(i, std::string_view{v}); }
    Statement& bind(int i, std::optional<std::string> const& v) { return v ? bind(i, *v) : bind_null(i); }
    Statement& bind(int i, std::span<unsigned char const> v) {
        return check(sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT));
    }
    Statement& bind_null(int i) { return check(sqlite3_bind_null(stmt_, i)); }

    // SQLITE_ROW, SQLITE_DONE, or an error code.
    int step() { return bind_rc_ != SQLITE_OK ? bind_rc_ : sqlite3_step(stmt_); }

    [[nodiscard]] std::int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
    [[nodiscard]] bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
    [[nodiscard]] std::string text(int col) const {
        auto const* p = reinterpret_cast<char const*>(sqlite3_column_text(stmt_, col));
        return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col))) : std::string{};
    }
    [[nodiscard]] std::optional<std::string> optional_text(int col) const {
        if (is_null(col)) return std::nullopt;
        return text(col);
    }
    [[nodiscard]] std::vector<unsigned char> blob(int col) const {
        auto const* p = static_cast<unsigned char const*>(sqlite3_column_blob(stmt_, col));
        return p ? std::vector<unsigned char>(p, p + sqlite3_column_bytes(stmt_, col)) : std::vector<unsigned char>{};
    }

private:
    Statement& check(int rc) {
        if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
        return *this;
    }
    sqlite3_stmt* stmt_;
    int bind_rc_ = SQLITE_OK;
};

// One SQLite connection in WAL mode with a busy timeout and a cache of prepared statements.
// Thread safety: none; one thread at a time (the owner serialises access).
class SqliteConnection {
public:
    // Opens (creating if needed) the file; Errc::unavailable, with the reason logged, when it
    // cannot be opened or configured.
    static result<std::unique_ptr<SqliteConnection>> open(std::string const& path);
    SqliteConnection(SqliteConnection const&) = delete;
    SqliteConnection& operator=(SqliteConnection const&) = delete;
    ~SqliteConnection();

    // The cached statement for this SQL text, prepared on first use.
    result<std::unique_ptr<Statement>> prepare(std::string_view sql);
    // Runs SQL without results. Several statements (separated by ';') are allowed; a single
    // statement is prepared once and kept in the cache, like prepare().
    result<void> exec(char const* sql);
    // False once an error has ended the open transaction (SQLite rolls back on some I/O errors).
    [[nodiscard]] bool in_transaction() const { return sqlite3_get_autocommit(db_) == 0; }
    [[nodiscard]] std::int64_t last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
    // Rows changed by the last INSERT, UPDATE or DELETE.
    [[nodiscard]] std::int64_t changes() const { return sqlite3_changes64(db_); }
    [[nodiscard]] char const* last_error() const { return sqlite3_errmsg(db_); }
    // A passive checkpoint: copies the WAL frames no reader still needs into the database file,
    // waiting for no one. SQLITE_OK, SQLITE_BUSY while another checkpoint runs, or an error code.
    int checkpoint_passive() {
        return sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    }
    // hook(arg, db, "main", pages) after each commit, with the WAL's size in frames. It replaces
    // SQLite's automatic checkpoint, which is installed through the same hook.
    using WalHook = int (*)(void* arg, sqlite3* db, char const* schema, int pages);
    void set_wal_hook(WalHook hook, void* arg) { sqlite3_wal_hook(db_, hook, arg); }

private:
    explicit SqliteConnection(sqlite3* db) : db_(db) {}
    // The statement for this SQL text from the cache, prepared and kept on first use.
    result<sqlite3_stmt*> cached(std::string_view sql);
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };

    sqlite3* db_;
    std::unordered_map<std::string, sqlite3_stmt*, TextHash, std::equal_to<>> cache_;
};

}  // namespace wx::store
