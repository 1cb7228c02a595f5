#pragma once

#include <mysql.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/errors.hpp"
#include "store/store_config.hpp"

namespace wx::store {

// MariaDB/MySQL error numbers the store tells apart (mysqld_error.h, errmsg.h).
inline constexpr unsigned kMysqlDuplicateKey = 1062;  // ER_DUP_ENTRY: a unique key refused the row
inline constexpr unsigned kMysqlDeadlock = 1213;      // ER_LOCK_DEADLOCK: this transaction was rolled back
inline constexpr unsigned kMysqlLockWaitTimeout = 1205;

// Maps a MariaDB error number to store::Errc: a unique or foreign key refusal and a deadlock are
// conflict (the backend reruns the unit), a lock wait timeout is busy, a lost or refused
// connection (and a server shutting down or read-only) is unavailable, anything else internal.
[[nodiscard]] Errc classify_mysql(unsigned error_number) noexcept;
// True for the errors after which the connection cannot be used again.
[[nodiscard]] bool connection_lost(unsigned error_number) noexcept;

class MysqlConnection;

// One execution of a prepared statement borrowed from a connection's cache: parameters bound in
// order, then execute(), then the rows (fetched whole into client memory: every statement of the
// store reads a handful of rows by key). Gives the statement back when it goes away.
// Thread safety: none; it lives on the stack of the thread running the unit.
class MysqlQuery {
public:
    MysqlQuery(MysqlConnection& conn, MYSQL_STMT* stmt, bool* in_use);
    MysqlQuery(MysqlQuery&& other) noexcept;
    MysqlQuery& operator=(MysqlQuery&&) = delete;
    ~MysqlQuery();

    MysqlQuery& bind(std::int64_t v);
    MysqlQuery& bind(std::string_view v);
    MysqlQuery& bind(std::string const& v) { return bind(std::string_view{v}); }
    MysqlQuery& bind(std::optional<std::string> const& v) { return v ? bind(*v) : bind(std::nullopt); }
    MysqlQuery& bind(std::span<unsigned char const> v);
    MysqlQuery& bind(std::nullopt_t);

    // Sends the statement; on failure the error number is in error_number() and the connection is
    // marked broken when it was lost.
    result<void> execute();
    // The next row; false after the last.
    result<bool> fetch();

    [[nodiscard]] unsigned error_number() const { return error_number_; }
    [[nodiscard]] std::int64_t affected_rows() const;  // matched rows (CLIENT_FOUND_ROWS)
    [[nodiscard]] std::int64_t insert_id() const;

    [[nodiscard]] bool is_null(int col) const;
    [[nodiscard]] std::int64_t int64(int col) const;
    [[nodiscard]] std::string text(int col) const;
    [[nodiscard]] std::optional<std::string> optional_text(int col) const;
    [[nodiscard]] std::vector<unsigned char> blob(int col) const;

private:
    struct Param {
        enum_field_types type = MYSQL_TYPE_NULL;
        std::int64_t integer = 0;
        std::string bytes;
    };
    struct Column {
        bool integral = false;
        std::int64_t integer = 0;
        std::vector<char> bytes;
        unsigned long length = 0;
        my_bool null = 0;
        my_bool error = 0;
    };
    error_code failed();
    result<void> bind_columns(MYSQL_FIELD const* fields, unsigned count);

    MysqlConnection* conn_;
    MYSQL_STMT* stmt_;
    bool* in_use_;  // the cache entry's flag, cleared when this execution ends
    std::vector<Param> params_;
    std::vector<Column> columns_;
    unsigned error_number_ = 0;
    bool has_result_ = false;
};

// What a connection is given besides the server's address.
struct MysqlTimeouts {
    std::chrono::milliseconds connect{3000};
    // innodb_lock_wait_timeout (rounded up to whole seconds); the socket read and write timeouts
    // are this plus kSocketMargin, so the server's own timeout answers first and a dead server
    // still cannot hold a call for longer.
    std::chrono::milliseconds query{5000};
    static constexpr std::chrono::seconds kSocketMargin{2};
};

// One connection to MariaDB/MySQL through libmariadb, set up for the store: utf8mb4 with binary
// comparison, REPEATABLE READ (see MysqlBackend for why), strict SQL mode, found rows
// as affected rows, no automatic reconnect (a reconnect would silently lose the open
// transaction), and timeouts on connect, read and write so that no call waits forever on a dead
// server. Prepared statements are cached by SQL text.
// Thread safety: none; one thread at a time (the pool hands it to one unit of work).
class MysqlConnection {
public:
    // Connects within `timeouts.connect` (whole seconds, at least 1). On failure: unavailable
    // (or internal for a setup error), with the client library's reason in `*why` when given —
    // it names the host and user, never the password.
    static result<std::unique_ptr<MysqlConnection>> open(MysqlConfig const& server,
                                                         MysqlTimeouts const& timeouts,
                                                         std::string* why = nullptr);
    MysqlConnection(MysqlConnection const&) = delete;
    MysqlConnection& operator=(MysqlConnection const&) = delete;
    ~MysqlConnection();

    // The cached statement for this SQL text, prepared on first use. One MysqlQuery per SQL text
    // at a time (a second one while the first is alive is Errc::internal).
    result<MysqlQuery> prepare(std::string_view sql);
    // Runs one statement without parameters or rows (transaction control, DDL).
    result<void> exec(char const* sql);
    // A round trip to the server; false (and broken) when it does not answer.
    bool ping();

    // A call found the connection lost: it must be closed, not reused.
    [[nodiscard]] bool broken() const { return broken_; }
    [[nodiscard]] unsigned last_error_number() const { return last_error_number_; }
    // The server's id for this connection (what SHOW PROCESSLIST and KILL use).
    [[nodiscard]] unsigned long thread_id() const { return mysql_thread_id(db_); }

private:
    friend class MysqlQuery;
    explicit MysqlConnection(MYSQL* db) : db_(db) {}
    // Records a failed call's error number, marks the connection broken when it was lost, logs
    // it (never a duplicate key's message, which quotes the row's value) and answers its Errc.
    error_code failure(unsigned error_number, char const* sqlstate, char const* message);

    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct Cached {
        MYSQL_STMT* stmt = nullptr;
        bool in_use = false;
    };

    MYSQL* db_;
    std::unordered_map<std::string, Cached, TextHash, std::equal_to<>> cache_;
    bool broken_ = false;
    unsigned last_error_number_ = 0;
};

}  // namespace wx::store
