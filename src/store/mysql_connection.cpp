#include "store/mysql_connection.hpp"

#include <errmsg.h>
#include <mysqld_error.h>

#include <charconv>
#include <cstring>
#include <mutex>

#include "obs/log.hpp"

namespace wx::store {
namespace {

constexpr unsigned kClientInteractionTimeout = 4031;  // ER_CLIENT_INTERACTION_TIMEOUT (wait_timeout), 10.11+

// Whole seconds, rounded up, at least one: libmariadb's timeouts are in seconds.
unsigned whole_seconds(std::chrono::milliseconds ms) {
    auto s = (ms.count() + 999) / 1000;
    return static_cast<unsigned>(std::max<long long>(s, 1));
}

bool integral(enum_field_types t) {
    switch (t) {
        case MYSQL_TYPE_TINY:
        case MYSQL_TYPE_SHORT:
        case MYSQL_TYPE_LONG:
        case MYSQL_TYPE_INT24:
        case MYSQL_TYPE_LONGLONG:
        case MYSQL_TYPE_YEAR:
            return true;
        default:
            return false;
    }
}

}  // namespace

bool connection_lost(unsigned n) noexcept {
    switch (n) {
        case CR_CONNECTION_ERROR:
        case CR_CONN_HOST_ERROR:
        case CR_UNKNOWN_HOST:
        case CR_SERVER_GONE_ERROR:
        case CR_SERVER_HANDSHAKE_ERR:
        case CR_SERVER_LOST:
        case CR_SERVER_LOST_EXTENDED:
        case CR_COMMANDS_OUT_OF_SYNC:
        case CR_ERR_NET_READ:
        case CR_ERR_NET_WRITE:
        case ER_CONNECTION_KILLED:
        case ER_SERVER_SHUTDOWN:
        case ER_NET_READ_ERROR:
        case ER_NET_READ_INTERRUPTED:
        case ER_NET_ERROR_ON_WRITE:
        case ER_ABORTING_CONNECTION:
        case ER_NEW_ABORTING_CONNECTION:
        case kClientInteractionTimeout:
            return true;
        default:
            return false;
    }
}

Errc classify_mysql(unsigned n) noexcept {
    if (connection_lost(n)) return Errc::unavailable;
    switch (n) {
        case ER_DUP_ENTRY:
        case ER_DUP_KEY:
        case ER_DUP_UNIQUE:
        case ER_DUP_ENTRY_WITH_KEY_NAME:
        case ER_NO_REFERENCED_ROW_2:
        case ER_ROW_IS_REFERENCED_2:
        case ER_LOCK_DEADLOCK:  // InnoDB rolled this transaction back: the unit is rerun
            return Errc::conflict;
        case ER_LOCK_WAIT_TIMEOUT:
        case ER_STATEMENT_TIMEOUT:
        case ER_QUERY_INTERRUPTED:
        case ER_LOCK_TABLE_FULL:
            return Errc::busy;
        case ER_CON_COUNT_ERROR:
        case ER_TOO_MANY_USER_CONNECTIONS:
        case ER_ACCESS_DENIED_ERROR:
        case ER_DBACCESS_DENIED_ERROR:
        case ER_BAD_DB_ERROR:
        case ER_HOST_IS_BLOCKED:
        case ER_HOST_NOT_PRIVILEGED:
        case ER_OPTION_PREVENTS_STATEMENT:  // --read-only: a replica, or a primary being failed over
        case ER_READ_ONLY_MODE:
        case ER_DISK_FULL:
        case ER_RECORD_FILE_FULL:
        case ER_OUT_OF_RESOURCES:
            return Errc::unavailable;
        default:
            return Errc::internal;
    }
}

// --- MysqlQuery ---

MysqlQuery::MysqlQuery(MysqlConnection& conn, MYSQL_STMT* stmt, bool* in_use)
    : conn_(&conn), stmt_(stmt), in_use_(in_use) {}

MysqlQuery::MysqlQuery(MysqlQuery&& other) noexcept
    : conn_(other.conn_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      in_use_(std::exchange(other.in_use_, nullptr)),
      params_(std::move(other.params_)),
      columns_(std::move(other.columns_)),
      error_number_(other.error_number_),
      has_result_(std::exchange(other.has_result_, false)) {}

MysqlQuery::~MysqlQuery() {
    if (!stmt_) return;
    if (has_result_) mysql_stmt_free_result(stmt_);  // client memory only: the result was stored
    *in_use_ = false;
}

MysqlQuery& MysqlQuery::bind(std::int64_t v) {
    params_.push_back(Param{MYSQL_TYPE_LONGLONG, v, {}});
    return *this;
}

MysqlQuery& MysqlQuery::bind(std::string_view v) {
    params_.push_back(Param{MYSQL_TYPE_STRING, 0, std::string{v}});
    return *this;
}

MysqlQuery& MysqlQuery::bind(std::span<unsigned char const> v) {
    params_.push_back(Param{MYSQL_TYPE_BLOB, 0, std::string(reinterpret_cast<char const*>(v.data()), v.size())});
    return *this;
}

MysqlQuery& MysqlQuery::bind(std::nullopt_t) {
    params_.push_back(Param{MYSQL_TYPE_NULL, 0, {}});
    return *this;
}

error_code MysqlQuery::failed() {
    error_number_ = mysql_stmt_errno(stmt_);
    return conn_->failure(error_number_, mysql_stmt_sqlstate(stmt_), mysql_stmt_error(stmt_));
}

result<void> MysqlQuery::execute() {
    auto const count = mysql_stmt_param_count(stmt_);
    if (count != params_.size()) {
        obs::log_error("mysql_bind_mismatch", {{"expected", static_cast<std::int64_t>(count)},
                                               {"bound", static_cast<std::int64_t>(params_.size())}});
        return make_error_code(Errc::internal);
    }
    std::vector<MYSQL_BIND> binds(count);
    std::vector<unsigned long> lengths(count);
    for (std::size_t i = 0; i < count; ++i) {
        auto& b = binds[i];
        std::memset(&b, 0, sizeof b);
        auto& p = params_[i];
        b.buffer_type = p.type;
        if (p.type == MYSQL_TYPE_LONGLONG) {
            b.buffer = &p.integer;
        } else if (p.type != MYSQL_TYPE_NULL) {
            lengths[i] = static_cast<unsigned long>(p.bytes.size());
            b.buffer = p.bytes.data();
            b.buffer_length = lengths[i];
            b.length = &lengths[i];
        }
    }
    if (count > 0 && mysql_stmt_bind_param(stmt_, binds.data())) return failed();
    if (mysql_stmt_execute(stmt_)) return failed();
    unsigned const fields = mysql_stmt_field_count(stmt_);
    if (fields == 0) return {};  // no rows: INSERT, UPDATE, DELETE
    if (mysql_stmt_store_result(stmt_)) return failed();
    has_result_ = true;
    MYSQL_RES* meta = mysql_stmt_result_metadata(stmt_);
    if (!meta) return failed();
    auto bound = bind_columns(mysql_fetch_fields(meta), fields);
    mysql_free_result(meta);
    return bound;
}

result<void> MysqlQuery::bind_columns(MYSQL_FIELD const* fields, unsigned count) {
    columns_.assign(count, Column{});
    std::vector<MYSQL_BIND> binds(count);
    for (unsigned i = 0; i < count; ++i) {
        auto& b = binds[i];
        std::memset(&b, 0, sizeof b);
        auto& c = columns_[i];
        c.integral = integral(fields[i].type);
        b.is_null = &c.null;
        b.error = &c.error;
        b.length = &c.length;
        if (c.integral) {
            b.buffer_type = MYSQL_TYPE_LONGLONG;
            b.buffer = &c.integer;
        } else {
            // max_length is the longest value in the stored result (STMT_ATTR_UPDATE_MAX_LENGTH).
            c.bytes.resize(std::max<unsigned long>(fields[i].max_length, 1));
            b.buffer_type = MYSQL_TYPE_BLOB;
            b.buffer = c.bytes.data();
            b.buffer_length = static_cast<unsigned long>(c.bytes.size());
        }
    }
    if (mysql_stmt_bind_result(stmt_, binds.data())) return failed();
    return {};
}

result<bool> MysqlQuery::fetch() {
    switch (mysql_stmt_fetch(stmt_)) {
        case 0:
            return true;
        case MYSQL_NO_DATA:
            return false;
        case MYSQL_DATA_TRUNCATED:
            obs::log_error("mysql_fetch_truncated");
            return {boost::system::in_place_error, make_error_code(Errc::internal)};
        default:
            return {boost::system::in_place_error, failed()};
    }
}

std::int64_t MysqlQuery::affected_rows() const { return static_cast<std::int64_t>(mysql_stmt_affected_rows(stmt_)); }

std::int64_t MysqlQuery::insert_id() const { return static_cast<std::int64_t>(mysql_stmt_insert_id(stmt_)); }

bool MysqlQuery::is_null(int col) const { return columns_.at(static_cast<std::size_t>(col)).null != 0; }

std::int64_t MysqlQuery::int64(int col) const {
    auto const& c = columns_.at(static_cast<std::size_t>(col));
    if (c.null) return 0;
    if (c.integral) return c.integer;
    std::int64_t v = 0;
    std::from_chars(c.bytes.data(), c.bytes.data() + c.length, v);  // a DECIMAL or text column
    return v;
}

std::string MysqlQuery::text(int col) const {
    auto const& c = columns_.at(static_cast<std::size_t>(col));
    if (c.null) return {};
    if (c.integral) return std::to_string(c.integer);
    return std::string(c.bytes.data(), c.length);
}

std::optional<std::string> MysqlQuery::optional_text(int col) const {
    if (is_null(col)) return std::nullopt;
    return text(col);
}

std::vector<unsigned char> MysqlQuery::blob(int col) const {
    auto const& c = columns_.at(static_cast<std::size_t>(col));
    if (c.null || c.integral) return {};
    auto const* p = reinterpret_cast<unsigned char const*>(c.bytes.data());
    return std::vector<unsigned char>(p, p + c.length);
}

// --- MysqlConnection ---

result<std::unique_ptr<MysqlConnection>> MysqlConnection::open(MysqlConfig const& server,
                                                               MysqlTimeouts const& timeouts,
                                                               std::string* why) {
    // mysql_init() initialises the library on first use, which is not thread-safe: do it once here.
    static std::once_flag library;
    std::call_once(library, [] { mysql_library_init(0, nullptr, nullptr); });

    MYSQL* db = mysql_init(nullptr);
    if (!db) {
        if (why) *why = "out of memory";
        return make_error_code(Errc::internal);
    }
    unsigned const connect_s = whole_seconds(timeouts.connect);
    unsigned const lock_wait_s = whole_seconds(timeouts.query);
    unsigned const io_s = lock_wait_s + static_cast<unsigned>(MysqlTimeouts::kSocketMargin.count());
    unsigned const tcp = MYSQL_PROTOCOL_TCP;  // HOST:PORT as written, even for "localhost"
    my_bool const no = 0;
    unsigned const no_local_infile = 0;
    std::string const lock_wait = "SET SESSION innodb_lock_wait_timeout = " + std::to_string(lock_wait_s);
    mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &connect_s);
    mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &io_s);
    mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &io_s);
    mysql_options(db, MYSQL_OPT_PROTOCOL, &tcp);
    mysql_options(db, MYSQL_OPT_RECONNECT, &no);
    mysql_options(db, MYSQL_OPT_LOCAL_INFILE, &no_local_infile);
    mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    mysql_options(db, MYSQL_INIT_COMMAND, "SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ");
    mysql_options(db, MYSQL_INIT_COMMAND, lock_wait.c_str());
    // Strict: a value that does not fit is an error, never silently truncated.
    mysql_options(db, MYSQL_INIT_COMMAND,
                  "SET SESSION sql_mode = 'STRICT_ALL_TABLES,ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'");
    // CLIENT_FOUND_ROWS: an UPDATE reports the rows it matched, so "does the user exist" does not
    // depend on whether the new values differ from the old ones.
    if (!mysql_real_connect(db, server.host.c_str(), server.user.c_str(), server.password.c_str(),
                            server.database.c_str(), server.port, nullptr, CLIENT_FOUND_ROWS)) {
        unsigned const n = mysql_errno(db);
        std::string const reason = mysql_error(db);  // names user and host, never the password
        obs::log_error("mysql_connect_failed", {{"host", server.host},
                                                {"port", static_cast<std::int64_t>(server.port)},
                                                {"database", server.database},
                                                {"user", server.user},
                                                {"errno", static_cast<std::int64_t>(n)},
                                                {"error", reason}});
        if (why) *why = reason;
        mysql_close(db);
        Errc const e = classify_mysql(n);
        return make_error_code(e == Errc::internal ? Errc::unavailable : e);
    }
    return std::unique_ptr<MysqlConnection>{new MysqlConnection(db)};
}

MysqlConnection::~MysqlConnection() {
    // Close the connection first: the server frees its statements with it, and each statement
    // close below is then client memory only (no round trip per statement, none on a dead socket).
    mysql_close(db_);
    for (auto& [sql, cached] : cache_) mysql_stmt_close(cached.stmt);
}

error_code MysqlConnection::failure(unsigned n, char const* sqlstate, char const* message) {
    last_error_number_ = n;
    if (connection_lost(n)) broken_ = true;
    Errc const e = classify_mysql(n);
    // SQLSTATE classes 22 (data) and 23 (constraints) quote the offending value ("Duplicate entry
    // 'alice@example.com'"): only the numbers are logged for those.
    std::string_view const state = sqlstate ? sqlstate : "";
    bool const quotes_data = state.substr(0, 2) == "22" || state.substr(0, 2) == "23";
    if (e == Errc::conflict) {
        // A lost race (duplicate key, deadlock), resolved by the rules and reruns.
        obs::log_debug("mysql_conflict", {{"errno", static_cast<std::int64_t>(n)}, {"sqlstate", state}});
    } else {
        obs::log_warn("mysql_failed", {{"errno", static_cast<std::int64_t>(n)},
                                       {"sqlstate", state},
                                       {"error", quotes_data || !message ? "" : message}});
    }
    return make_error_code(e);
}

result<MysqlQuery> MysqlConnection::prepare(std::string_view sql) {
    auto it = cache_.find(sql);
    if (it == cache_.end()) {
        MYSQL_STMT* stmt = mysql_stmt_init(db_);
        if (!stmt) return make_error_code(Errc::internal);
        if (mysql_stmt_prepare(stmt, sql.data(), static_cast<unsigned long>(sql.size()))) {
            error_code ec = failure(mysql_stmt_errno(stmt), mysql_stmt_sqlstate(stmt), mysql_stmt_error(stmt));
            mysql_stmt_close(stmt);
            return ec;
        }
        my_bool const update_max_length = 1;
        mysql_stmt_attr_set(stmt, STMT_ATTR_UPDATE_MAX_LENGTH, &update_max_length);
        it = cache_.emplace(std::string{sql}, Cached{stmt, false}).first;
    }
    if (it->second.in_use) {
        obs::log_error("mysql_statement_in_use");
        return make_error_code(Errc::internal);
    }
    it->second.in_use = true;
    return MysqlQuery{*this, it->second.stmt, &it->second.in_use};
}

result<void> MysqlConnection::exec(char const* sql) {
    if (mysql_real_query(db_, sql, static_cast<unsigned long>(std::strlen(sql))))
        return failure(mysql_errno(db_), mysql_sqlstate(db_), mysql_error(db_));
    if (MYSQL_RES* rows = mysql_store_result(db_)) mysql_free_result(rows);
    return {};
}

bool MysqlConnection::ping() {
    if (mysql_ping(db_) == 0) return true;
    (void)failure(mysql_errno(db_), mysql_sqlstate(db_), mysql_error(db_));
    broken_ = true;
    return false;
}

}  // namespace wx::store
