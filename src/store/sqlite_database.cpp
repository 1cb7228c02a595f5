#include "store/sqlite_database.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "obs/log.hpp"
#include "store/sqlite_migrations.hpp"

namespace wx::store {
namespace {

std::int64_t unix_now() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

error_code step_error(SqliteConnection& db, int rc) {
    obs::log_warn("sqlite_step_failed", {{"error", db.last_error()}, {"code", rc}});
    return make_error_code(classify_sqlite(rc));
}

// Commits on success, rolls back on every other way out, so no half-written change survives.
class Transaction {
public:
    explicit Transaction(SqliteConnection& db) : db_(db) {}
    ~Transaction() {
        if (open_) (void)db_.exec("ROLLBACK");
    }
    result<void> begin() {
        auto r = db_.exec("BEGIN IMMEDIATE");
        open_ = r.has_value();
        return r;
    }
    result<void> commit() {
        auto r = db_.exec("COMMIT");
        if (r) open_ = false;
        return r;
    }

private:
    SqliteConnection& db_;
    bool open_ = false;
};

}  // namespace

#define WX_TRY(expr)                                  \
    do {                                              \
        if (auto _r = (expr); !_r) return _r.error(); \
    } while (0)

class SqliteDatabase::ReaderLease {
public:
    explicit ReaderLease(SqliteDatabase& owner) : owner_(owner) {
        std::lock_guard lock{owner_.readers_mutex_};
        if (!owner_.idle_readers_.empty()) {
            conn_ = std::move(owner_.idle_readers_.back());
            owner_.idle_readers_.pop_back();
        }
    }
    ~ReaderLease() {
        if (!conn_) return;
        std::lock_guard lock{owner_.readers_mutex_};
        owner_.idle_readers_.push_back(std::move(conn_));
    }
    SqliteConnection& get() {
        if (!conn_) conn_ = std::make_unique<SqliteConnection>(owner_.path_);
        return *conn_;
    }

private:
    SqliteDatabase& owner_;
    std::unique_ptr<SqliteConnection> conn_;
};

namespace {

int lock_instance(std::string const& db_path) {
    std::string lock_path = db_path + ".lock";
    int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open " + lock_path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd);
        throw std::runtime_error("another wxlogin process is using " + db_path +
                                 "; an SQLite database serves one instance (several need MySQL and Redis)");
    }
    return fd;
}

}  // namespace

SqliteDatabase::SqliteDatabase(std::string path, BlockingPool& pool)
    : path_(std::move(path)),
      instance_lock_(lock_instance(path_)),
      pool_(pool),
      writer_(std::make_unique<SqliteConnection>(path_)) {
    committer_ = std::thread([this] { commit_loop(); });
}

SqliteDatabase::~SqliteDatabase() {
    {
        std::lock_guard lock{queue_mutex_};
        stopping_ = true;
    }
    queue_cv_.notify_all();
    committer_.join();
    ::close(instance_lock_);
}

template <class Token>
auto SqliteDatabase::async_login(WeChatLogin login, Token token) {
    return asio::async_initiate<Token, void(result<LoginOutcome>)>(
        [this](auto handler, WeChatLogin l) {
            auto home = asio::get_associated_executor(handler);
            auto guard = asio::prefer(home, asio::execution::outstanding_work.tracked);
            // std::function needs a copyable callable; the coroutine's handler is move-only.
            auto shared = std::make_shared<decltype(handler)>(std::move(handler));
            auto done = [shared, guard](result<LoginOutcome> r) {
                auto resume = [shared, r = std::move(r)]() mutable { std::move (*shared)(std::move(r)); };
                asio::post(guard, std::move(resume));
            };
            enqueue(std::move(l), std::move(done));
        },
        token, std::move(login));
}

void SqliteDatabase::enqueue(WeChatLogin login, std::function<void(result<LoginOutcome>)> done) {
    {
        std::lock_guard lock{queue_mutex_};
        if (queue_.size() < kMaxQueued && !stopping_) {
            queue_.push_back(PendingLogin{std::move(login), std::move(done)});
            queue_cv_.notify_one();
            return;
        }
    }
    done(make_error_code(Errc::overloaded));
}

void SqliteDatabase::commit_loop() {
    for (;;) {
        std::vector<PendingLogin> batch;
        {
            std::unique_lock lock{queue_mutex_};
            queue_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
            if (queue_.empty()) return;  // stopping, and nothing left to commit
            while (!queue_.empty() && batch.size() < kMaxBatch) {
                batch.push_back(std::move(queue_.front()));
                queue_.pop_front();
            }
        }
        auto results = commit_batch(batch);
        for (std::size_t i = 0; i < batch.size(); ++i) batch[i].done(std::move(results[i]));
    }
}

std::vector<result<LoginOutcome>> SqliteDatabase::commit_batch(std::vector<PendingLogin> const& batch) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    std::vector<result<LoginOutcome>> out;
    auto fail_all = [&](error_code ec) {
        out.assign(batch.size(), result<LoginOutcome>{ec});
        return out;
    };
    Transaction tx{db};
    if (auto begun = tx.begin(); !begun) return fail_all(begun.error());
    for (auto const& pending : batch) {
        if (auto sp = db.exec("SAVEPOINT login"); !sp) return fail_all(sp.error());
        auto r = wechat_login_body(db, pending.login);
        if (!r) {
            // A refused constraint undoes this login only; anything else (I/O, disk full, busy)
            // may have ended the transaction, so the batch fails as one and rolls back.
            if (r.error() != Errc::conflict) return fail_all(r.error());
            (void)db.exec("ROLLBACK TO login");
        }
        (void)db.exec("RELEASE login");
        out.push_back(std::move(r));
    }
    if (auto committed = tx.commit(); !committed) return fail_all(committed.error());
    return out;
}

template <class R, class Fn, class... Args>
Task<result<R>> SqliteDatabase::on_pool(Fn fn, Args... args) {
    std::optional<result<R>> r = co_await pool_.run(fn, this, std::move(args)...);
    if (!r) co_return make_error_code(Errc::overloaded);
    co_return std::move(*r);
}

Task<result<void>> SqliteDatabase::ping() { return on_pool<void>(&SqliteDatabase::ping_sync); }
Task<result<LoginOutcome>> SqliteDatabase::wechat_login(WeChatLogin login) {
    result<LoginOutcome> r = co_await async_login(std::move(login), use_task);
    co_return r;
}
Task<result<User>> SqliteDatabase::user_by_id(std::int64_t id) {
    return on_pool<User>(&SqliteDatabase::user_by_id_sync, id);
}
Task<result<RefreshOutcome>> SqliteDatabase::refresh(Rotation rotation) {
    return on_pool<RefreshOutcome>(&SqliteDatabase::refresh_sync, std::move(rotation));
}
Task<result<std::vector<RevokedSession>>> SqliteDatabase::revoke_session(std::int64_t user_id,
                                                                         std::string session_id,
                                                                         std::int64_t now) {
    return on_pool<std::vector<RevokedSession>>(&SqliteDatabase::revoke_session_sync, user_id, std::move(session_id),
                                                now);
}
Task<result<std::vector<RevokedSession>>> SqliteDatabase::revoke_all_sessions(std::int64_t user_id, std::int64_t now) {
    return on_pool<std::vector<RevokedSession>>(&SqliteDatabase::revoke_all_sessions_sync, user_id, now);
}
Task<result<User>> SqliteDatabase::update_profile(std::int64_t user_id, ProfileChange change) {
    return on_pool<User>(&SqliteDatabase::update_profile_sync, user_id, std::move(change));
}
Task<result<RegisterOutcome>> SqliteDatabase::register_user(NewPasswordUser user) {
    return on_pool<RegisterOutcome>(&SqliteDatabase::register_user_sync, std::move(user));
}
Task<result<std::optional<StoredCredentials>>> SqliteDatabase::credentials(std::string key, bool by_email) {
    return on_pool<std::optional<StoredCredentials>>(&SqliteDatabase::credentials_sync, std::move(key), by_email);
}
Task<result<User>> SqliteDatabase::start_session(std::int64_t user_id, NewSession session) {
    return on_pool<User>(&SqliteDatabase::start_session_sync, user_id, std::move(session));
}
Task<result<void>> SqliteDatabase::set_password_hash(std::int64_t user_id, std::string hash, std::int64_t now) {
    return on_pool<void>(&SqliteDatabase::set_password_hash_sync, user_id, std::move(hash), now);
}
Task<result<BindOutcome>> SqliteDatabase::bind_wechat(std::int64_t user_id,
                                                      WeChatIdentity identity,
                                                      std::vector<unsigned char> session_key_sealed,
                                                      std::int64_t now) {
    return on_pool<BindOutcome>(&SqliteDatabase::bind_wechat_sync, user_id, std::move(identity),
                                std::move(session_key_sealed), now);
}
Task<result<std::optional<std::vector<unsigned char>>>> SqliteDatabase::sealed_session_key(std::int64_t user_id,
                                                                                           std::string app_id) {
    return on_pool<std::optional<std::vector<unsigned char>>>(&SqliteDatabase::sealed_session_key_sync, user_id,
                                                              std::move(app_id));
}
Task<result<User>> SqliteDatabase::set_phone(std::int64_t user_id, std::string phone, std::int64_t now) {
    return on_pool<User>(&SqliteDatabase::set_phone_sync, user_id, std::move(phone), now);
}

result<void> SqliteDatabase::migrate_sync() {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    WX_TRY(db.exec(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)"));
    std::int64_t current = 0;
    {
        auto st = db.prepare("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
        if (!st) return st.error();
        if ((*st)->step() == SQLITE_ROW) current = (*st)->int64(0);
    }
    for (std::size_t v = static_cast<std::size_t>(current); v < kSqliteMigrations.size(); ++v) {
        Transaction tx{db};
        WX_TRY(tx.begin());
        WX_TRY(db.exec(kSqliteMigrations[v]));
        auto st = db.prepare("INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)");
        if (!st) return st.error();
        (*st)->bind(1, static_cast<std::int64_t>(v + 1)).bind(2, unix_now());
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
        WX_TRY(tx.commit());
        obs::log_info("schema_migrated", {{"version", static_cast<std::int64_t>(v + 1)}});
    }
    return {};
}

result<void> SqliteDatabase::ping_sync() {
    try {
        ReaderLease lease{*this};
        auto st = lease.get().prepare("SELECT 1");
        if (!st) return st.error();
        if (int rc = (*st)->step(); rc != SQLITE_ROW) return step_error(lease.get(), rc);
        return {};
    } catch (std::exception const&) {
        return make_error_code(Errc::unavailable);
    }
}

result<User> SqliteDatabase::load_user(SqliteConnection& db, std::int64_t id) {
    auto st = db.prepare(
        "SELECT id, username, email, nickname, avatar_url, phone, role, disabled, tokens_not_before, created_at "
        "FROM users WHERE id = ?");
    if (!st) return st.error();
    auto& s = **st;
    s.bind(1, id);
    int rc = s.step();
    if (rc == SQLITE_DONE) return make_error_code(Errc::not_found);
    if (rc != SQLITE_ROW) return step_error(db, rc);
    User u;
    u.id = s.int64(0);
    u.username = s.optional_text(1);
    u.email = s.optional_text(2);
    u.nickname = s.text(3);
    u.avatar_url = s.text(4);
    u.phone = s.optional_text(5);
    u.role = s.text(6);
    u.disabled = s.int64(7) != 0;
    u.tokens_not_before = s.int64(8);
    u.created_at = s.int64(9);

    auto wi = db.prepare("SELECT app_id, openid, unionid FROM wechat_identities WHERE user_id = ? ORDER BY id LIMIT 1");
    if (!wi) return wi.error();
    (*wi)->bind(1, id);
    rc = (*wi)->step();
    if (rc == SQLITE_ROW)
        u.wechat = WeChatIdentity{(*wi)->text(0), (*wi)->text(1), (*wi)->optional_text(2)};
    else if (rc != SQLITE_DONE)
        return step_error(db, rc);
    return u;
}

result<User> SqliteDatabase::user_by_id_sync(std::int64_t id) {
    try {
        ReaderLease lease{*this};
        return load_user(lease.get(), id);
    } catch (std::exception const&) {
        return make_error_code(Errc::unavailable);
    }
}

result<LoginOutcome> SqliteDatabase::wechat_login_body(SqliteConnection& db, WeChatLogin const& login) {
    auto const& id = login.identity;
    std::optional<std::int64_t> user_id;
    bool created = false;

    {
        auto st = db.prepare("SELECT user_id FROM wechat_identities WHERE app_id = ? AND openid = ?");
        if (!st) return st.error();
        (*st)->bind(1, id.app_id).bind(2, id.openid);
        int rc = (*st)->step();
        if (rc == SQLITE_ROW)
            user_id = (*st)->int64(0);
        else if (rc != SQLITE_DONE)
            return step_error(db, rc);
    }
    if (user_id) {
        auto st = db.prepare(
            "UPDATE wechat_identities SET session_key_sealed = ?, unionid = COALESCE(?, unionid), updated_at = ? "
            "WHERE app_id = ? AND openid = ?");
        if (!st) return st.error();
        (*st)
            ->bind(1, login.session_key_sealed)
            .bind(2, id.unionid)
            .bind(3, login.now)
            .bind(4, id.app_id)
            .bind(5, id.openid);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
    } else {
        if (id.unionid && login.match_unionid_across_apps) {
            auto st = db.prepare("SELECT user_id FROM wechat_identities WHERE unionid = ? ORDER BY id LIMIT 1");
            if (!st) return st.error();
            (*st)->bind(1, *id.unionid);
            int rc = (*st)->step();
            if (rc == SQLITE_ROW)
                user_id = (*st)->int64(0);
            else if (rc != SQLITE_DONE)
                return step_error(db, rc);
        }
        if (!user_id) {
            auto st = db.prepare("INSERT INTO users (created_at, updated_at) VALUES (?, ?)");
            if (!st) return st.error();
            (*st)->bind(1, login.now).bind(2, login.now);
            if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
            user_id = db.last_insert_id();
            created = true;
        }
        auto st = db.prepare(
            "INSERT INTO wechat_identities (app_id, openid, unionid, user_id, session_key_sealed, created_at, "
            "updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)");
        if (!st) return st.error();
        (*st)
            ->bind(1, id.app_id)
            .bind(2, id.openid)
            .bind(3, id.unionid)
            .bind(4, *user_id)
            .bind(5, login.session_key_sealed);
        (*st)->bind(6, login.now).bind(7, login.now);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
    }

    WX_TRY(insert_session(db, *user_id, login.session));
    auto user = load_user(db, *user_id);
    if (!user) return user.error();
    user->wechat = WeChatIdentity{id.app_id, id.openid, id.unionid};
    return LoginOutcome{std::move(*user), created};
}

result<RefreshOutcome> SqliteDatabase::refresh_sync(Rotation const& rotation) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    Transaction tx{db};
    WX_TRY(tx.begin());
    auto out = refresh_body(db, rotation);
    if (!out) return out.error();
    WX_TRY(tx.commit());
    return out;
}

result<RefreshOutcome> SqliteDatabase::refresh_body(SqliteConnection& db, Rotation const& r) {
    RefreshOutcome out;
    std::int64_t user_id = 0, generation = 0;
    bool spent = false;
    {
        auto st = db.prepare(
            "SELECT t.session_id, t.used_at IS NOT NULL, s.user_id, s.generation, s.expires_at, s.access_expires_at, "
            "s.revoked_at IS NOT NULL OR u.disabled <> 0 "
            "FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id "
            "WHERE t.hash = ?");
        if (!st) return st.error();
        auto& q = **st;
        q.bind(1, r.presented_hash);
        int rc = q.step();
        if (rc == SQLITE_DONE) return out;  // unknown
        if (rc != SQLITE_ROW) return step_error(db, rc);
        if (q.int64(6) != 0) return out;  // revoked session or disabled user: as good as unknown
        out.session_id = q.text(0);
        spent = q.int64(1) != 0;
        user_id = q.int64(2);
        generation = q.int64(3);
        out.expires_at = q.int64(4);
        out.access_expires_at = q.int64(5);
    }
    if (out.expires_at <= r.now) {
        out.verdict = RefreshVerdict::expired;
        return out;
    }
    if (spent) {
        // A spent token came back: a thief or a confused client holds a copy. End the family.
        auto st = db.prepare("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
        if (!st) return st.error();
        (*st)->bind(1, r.now).bind(2, out.session_id);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
        out.verdict = RefreshVerdict::reused;
        return out;
    }
    {
        auto st = db.prepare("UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL");
        if (!st) return st.error();
        (*st)->bind(1, r.now).bind(2, r.presented_hash);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
        if (db.changes() != 1) return make_error_code(Errc::conflict);  // cannot happen under the writer lock
    }
    {
        auto st =
            db.prepare("INSERT INTO refresh_tokens (hash, session_id, generation, created_at) VALUES (?, ?, ?, ?)");
        if (!st) return st.error();
        (*st)->bind(1, r.next_hash).bind(2, out.session_id).bind(3, generation + 1).bind(4, r.now);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
    }
    {
        auto st = db.prepare(
            "UPDATE sessions SET generation = ?, refreshed_at = ?, access_expires_at = MAX(access_expires_at, ?) "
            "WHERE id = ?");
        if (!st) return st.error();
        (*st)->bind(1, generation + 1).bind(2, r.now).bind(3, r.access_expires_at).bind(4, out.session_id);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
    }
    auto user = load_user(db, user_id);
    if (!user) return user.error();
    out.user = std::move(*user);
    out.access_expires_at = std::max(out.access_expires_at, r.access_expires_at);
    out.verdict = RefreshVerdict::rotated;
    return out;
}

result<std::vector<RevokedSession>> SqliteDatabase::collect_revoked(SqliteConnection& db, Statement& st) {
    std::vector<RevokedSession> out;
    for (;;) {
        int rc = st.step();
        if (rc == SQLITE_DONE) return out;
        if (rc != SQLITE_ROW) return step_error(db, rc);
        out.push_back(RevokedSession{st.text(0), st.int64(1)});
    }
}

result<std::vector<RevokedSession>> SqliteDatabase::revoke_session_sync(std::int64_t user_id,
                                                                        std::string const& session_id,
                                                                        std::int64_t now) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    auto st = db.prepare(
        "UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL "
        "RETURNING id, access_expires_at");
    if (!st) return st.error();
    (*st)->bind(1, now).bind(2, session_id).bind(3, user_id);
    return collect_revoked(db, **st);
}

result<std::vector<RevokedSession>> SqliteDatabase::revoke_all_sessions_sync(std::int64_t user_id, std::int64_t now) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    auto st = db.prepare(
        "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL RETURNING id, access_expires_at");
    if (!st) return st.error();
    (*st)->bind(1, now).bind(2, user_id);
    return collect_revoked(db, **st);
}

result<std::vector<RevokedSession>> SqliteDatabase::revoked_sessions_sync(std::int64_t now) {
    try {
        ReaderLease lease{*this};
        auto st = lease.get().prepare(
            "SELECT id, access_expires_at FROM sessions WHERE revoked_at IS NOT NULL AND access_expires_at > ?");
        if (!st) return st.error();
        (*st)->bind(1, now);
        return collect_revoked(lease.get(), **st);
    } catch (std::exception const&) {
        return make_error_code(Errc::unavailable);
    }
}

result<User> SqliteDatabase::update_profile_sync(std::int64_t user_id, ProfileChange const& change) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    {
        auto st = db.prepare(
            "UPDATE users SET nickname = COALESCE(?, nickname), avatar_url = COALESCE(?, avatar_url), updated_at = ? "
            "WHERE id = ?");
        if (!st) return st.error();
        (*st)->bind(1, change.nickname).bind(2, change.avatar_url).bind(3, change.now).bind(4, user_id);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
        if (db.changes() == 0) return make_error_code(Errc::not_found);
    }
    return load_user(db, user_id);
}

result<void> SqliteDatabase::insert_session(SqliteConnection& db, std::int64_t user_id, NewSession const& s) {
    {
        auto st = db.prepare(
            "INSERT INTO sessions (id, user_id, generation, created_at, refreshed_at, expires_at, access_expires_at) "
            "VALUES (?, ?, 0, ?, ?, ?, ?)");
        if (!st) return st.error();
        (*st)->bind(1, s.id).bind(2, user_id).bind(3, s.created_at).bind(4, s.created_at).bind(5, s.expires_at);
        (*st)->bind(6, s.access_expires_at);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
    }
    auto st = db.prepare("INSERT INTO refresh_tokens (hash, session_id, generation, created_at) VALUES (?, ?, 0, ?)");
    if (!st) return st.error();
    (*st)->bind(1, s.refresh_hash).bind(2, s.id).bind(3, s.created_at);
    if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
    return {};
}

namespace {

// Whether a query with one text parameter finds a row. (error_code converts to bool, so errors
// are spelled in_place_error.)
result<bool> exists(SqliteConnection& db, char const* sql, std::string const& value) {
    auto st = db.prepare(sql);
    if (!st) return {boost::system::in_place_error, st.error()};
    (*st)->bind(1, value);
    int rc = (*st)->step();
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    return {boost::system::in_place_error, step_error(db, rc)};
}

}  // namespace

result<RegisterOutcome> SqliteDatabase::register_user_sync(NewPasswordUser const& u) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    Transaction tx{db};
    WX_TRY(tx.begin());
    RegisterOutcome out;
    auto name_taken = exists(db, "SELECT 1 FROM users WHERE username_key = ?", u.username_key);
    if (!name_taken) return name_taken.error();
    if (*name_taken) {
        out.verdict = RegisterVerdict::username_taken;
        return out;
    }
    if (u.email_key) {
        auto email_taken = exists(db, "SELECT 1 FROM users WHERE email_key = ?", *u.email_key);
        if (!email_taken) return email_taken.error();
        if (*email_taken) {
            out.verdict = RegisterVerdict::email_taken;
            return out;
        }
    }
    {
        auto st = db.prepare(
            "INSERT INTO users (username, username_key, email, email_key, password_hash, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)");
        if (!st) return st.error();
        (*st)->bind(1, u.username).bind(2, u.username_key).bind(3, u.email).bind(4, u.email_key);
        (*st)->bind(5, u.password_hash).bind(6, u.now).bind(7, u.now);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
    }
    std::int64_t id = db.last_insert_id();
    WX_TRY(insert_session(db, id, u.session));
    auto user = load_user(db, id);
    if (!user) return user.error();
    WX_TRY(tx.commit());
    out.user = std::move(*user);
    return out;
}

result<std::optional<StoredCredentials>> SqliteDatabase::credentials_sync(std::string const& key, bool by_email) {
    try {
        ReaderLease lease{*this};
        auto& db = lease.get();
        auto st = by_email ? db.prepare("SELECT id, password_hash, disabled FROM users WHERE email_key = ?")
                           : db.prepare("SELECT id, password_hash, disabled FROM users WHERE username_key = ?");
        if (!st) return st.error();
        (*st)->bind(1, key);
        int rc = (*st)->step();
        if (rc == SQLITE_DONE) return std::optional<StoredCredentials>{};
        if (rc != SQLITE_ROW) return step_error(db, rc);
        return std::optional<StoredCredentials>{
            StoredCredentials{(*st)->int64(0), (*st)->optional_text(1), (*st)->int64(2) != 0}};
    } catch (std::exception const&) {
        return make_error_code(Errc::unavailable);
    }
}

result<User> SqliteDatabase::start_session_sync(std::int64_t user_id, NewSession const& session) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    Transaction tx{db};
    WX_TRY(tx.begin());
    auto user = load_user(db, user_id);
    if (!user) return user.error();
    WX_TRY(insert_session(db, user_id, session));
    WX_TRY(tx.commit());
    return user;
}

result<void> SqliteDatabase::set_password_hash_sync(std::int64_t user_id, std::string const& hash, std::int64_t now) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    auto st = db.prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?");
    if (!st) return st.error();
    (*st)->bind(1, hash).bind(2, now).bind(3, user_id);
    if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
    return {};
}

result<BindOutcome> SqliteDatabase::bind_wechat_sync(std::int64_t user_id,
                                                     WeChatIdentity const& id,
                                                     std::vector<unsigned char> const& sealed,
                                                     std::int64_t now) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    Transaction tx{db};
    WX_TRY(tx.begin());
    BindOutcome out;
    std::optional<std::int64_t> owner;
    {
        // The same WeChat person is the same identity across apps when WeChat says so (unionid).
        auto st = db.prepare(
            "SELECT user_id FROM wechat_identities WHERE (app_id = ? AND openid = ?) OR (unionid IS NOT NULL AND "
            "unionid = ?) ORDER BY user_id <> ? DESC LIMIT 1");
        if (!st) return st.error();
        (*st)->bind(1, id.app_id).bind(2, id.openid).bind(3, id.unionid).bind(4, user_id);
        int rc = (*st)->step();
        if (rc == SQLITE_ROW)
            owner = (*st)->int64(0);
        else if (rc != SQLITE_DONE)
            return step_error(db, rc);
    }
    if (owner && *owner != user_id) {
        out.verdict = BindVerdict::bound_to_another_user;
        return out;
    }
    auto user = load_user(db, user_id);  // also: the caller still exists
    if (!user) return user.error();
    {
        auto st = db.prepare(
            "INSERT INTO wechat_identities (app_id, openid, unionid, user_id, session_key_sealed, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (app_id, openid) DO UPDATE SET session_key_sealed = excluded.session_key_sealed, "
            "unionid = COALESCE(excluded.unionid, unionid), updated_at = excluded.updated_at");
        if (!st) return st.error();
        (*st)->bind(1, id.app_id).bind(2, id.openid).bind(3, id.unionid).bind(4, user_id).bind(5, sealed);
        (*st)->bind(6, now).bind(7, now);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
    }
    user = load_user(db, user_id);
    if (!user) return user.error();
    WX_TRY(tx.commit());
    out.user = std::move(*user);
    return out;
}

result<std::optional<std::vector<unsigned char>>> SqliteDatabase::sealed_session_key_sync(std::int64_t user_id,
                                                                                          std::string const& app_id) {
    using Sealed = std::optional<std::vector<unsigned char>>;
    try {
        ReaderLease lease{*this};
        auto& db = lease.get();
        auto st = db.prepare(
            "SELECT session_key_sealed FROM wechat_identities WHERE user_id = ? AND app_id = ? AND session_key_sealed "
            "IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT 1");
        if (!st) return st.error();
        (*st)->bind(1, user_id).bind(2, app_id);
        int rc = (*st)->step();
        if (rc == SQLITE_DONE) return Sealed{};
        if (rc != SQLITE_ROW) return step_error(db, rc);
        return Sealed{(*st)->blob(0)};
    } catch (std::exception const&) {
        return make_error_code(Errc::unavailable);
    }
}

result<User> SqliteDatabase::set_phone_sync(std::int64_t user_id, std::string const& phone, std::int64_t now) {
    std::lock_guard lock{writer_mutex_};
    auto& db = *writer_;
    {
        auto st = db.prepare("UPDATE users SET phone = ?, updated_at = ? WHERE id = ?");
        if (!st) return st.error();
        (*st)->bind(1, phone).bind(2, now).bind(3, user_id);
        if (int rc = (*st)->step(); rc != SQLITE_DONE) return step_error(db, rc);
        if (db.changes() == 0) return make_error_code(Errc::not_found);
    }
    return load_user(db, user_id);
}

}  // namespace wx::store
