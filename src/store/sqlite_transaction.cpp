#include "store/sqlite_transaction.hpp"

#include "obs/log.hpp"

namespace wx::store {
namespace {

// A cached statement with its parameters bound in order (?1, ?2, ...).
template <class... Args>
result<std::unique_ptr<Statement>> prepared(SqliteConnection& db, std::string_view sql, Args const&... args) {
    auto st = db.prepare(sql);
    if (!st) return st;
    int i = 0;
    ((*st)->bind(++i, args), ...);
    return st;
}

// error_code converts to bool, so a result<bool> failure must say it is one.
result<bool> failed(error_code ec) { return {boost::system::in_place_error, ec}; }

}  // namespace

result<bool> SqliteTransaction::changed_a_row(result<std::unique_ptr<Statement>> st) {
    if (!st) return failed(st.error());
    auto changed = run(**st);
    if (!changed) return failed(changed.error());
    return *changed > 0;
}

result<void> SqliteTransaction::executed(result<std::unique_ptr<Statement>> st) {
    if (!st) return st.error();
    if (auto ran = run(**st); !ran) return ran.error();
    return {};
}

error_code SqliteTransaction::step_error(int rc) {
    obs::log_warn("sqlite_step_failed", {{"error", db_.last_error()}, {"code", rc}});
    return make_error_code(classify_sqlite(rc));
}

result<std::int64_t> SqliteTransaction::run(Statement& st) {
    if (int rc = st.step(); rc != SQLITE_DONE) return step_error(rc);
    return db_.changes();
}

result<std::optional<User>> SqliteTransaction::find_user(std::int64_t id) {
    auto st = prepared(db_,
                       "SELECT id, username, email, nickname, avatar_url, phone, role, disabled, created_at "
                       "FROM users WHERE id = ? AND deleted_at IS NULL",
                       id);
    if (!st) return st.error();
    auto& s = **st;
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<User>{};
    if (rc != SQLITE_ROW) return step_error(rc);
    User u;
    u.id = s.int64(0);
    u.username = s.optional_text(1);
    u.email = s.optional_text(2);
    u.nickname = s.text(3);
    u.avatar_url = s.text(4);
    u.phone = s.optional_text(5);
    u.role = s.text(6);
    u.disabled = s.int64(7) != 0;
    u.created_at = s.int64(8);

    auto wi = prepared(
        db_, "SELECT app_id, openid, unionid FROM wechat_identities WHERE user_id = ? ORDER BY id LIMIT 1", id);
    if (!wi) return wi.error();
    rc = (*wi)->step();
    if (rc == SQLITE_ROW)
        u.wechat = WeChatIdentity{(*wi)->text(0), (*wi)->text(1), (*wi)->optional_text(2)};
    else if (rc != SQLITE_DONE)
        return step_error(rc);
    return std::optional<User>{std::move(u)};
}

result<std::int64_t> SqliteTransaction::insert_user(NewUserRow const& r) {
    auto st = prepared(db_,
                       "INSERT INTO users (username, username_key, email, email_key, password_hash, created_at, "
                       "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                       r.username, r.username_key, r.email, r.email_key, r.password_hash, r.now, r.now);
    if (!st) return st.error();
    if (auto ran = run(**st); !ran) return ran.error();
    return db_.last_insert_id();
}

template <class Key>
result<std::optional<StoredCredentials>> SqliteTransaction::credentials(std::string_view sql, Key const& key) {
    auto st = prepared(db_, sql, key);
    if (!st) return st.error();
    auto& s = **st;
    int rc = s.step();
    if (rc == SQLITE_DONE) return std::optional<StoredCredentials>{};
    if (rc != SQLITE_ROW) return step_error(rc);
    return std::optional<StoredCredentials>{StoredCredentials{s.int64(0), s.optional_text(1), s.int64(2) != 0}};
}

result<std::optional<StoredCredentials>> SqliteTransaction::credentials_by_username_key(std::string const& key) {
    return credentials("SELECT id, password_hash, disabled FROM users WHERE username_key = ?", key);
}

result<std::optional<StoredCredentials>> SqliteTransaction::credentials_by_id(std::int64_t user_id) {
    return credentials("SELECT id, password_hash, disabled FROM users WHERE id = ? AND deleted_at IS NULL", user_id);
}

result<std::optional<StoredCredentials>> SqliteTransaction::credentials_by_email_key(std::string const& key) {
    return credentials("SELECT id, password_hash, disabled FROM users WHERE email_key = ?", key);
}

result<bool> SqliteTransaction::update_profile(std::int64_t user_id, ProfileChange const& c) {
    return changed_a_row(prepared(db_,
                                  "UPDATE users SET nickname = COALESCE(?, nickname), "
                                  "avatar_url = COALESCE(?, avatar_url), updated_at = ? WHERE id = ?",
                                  c.nickname, c.avatar_url, c.now, user_id));
}

result<bool> SqliteTransaction::set_phone(std::int64_t user_id, std::string const& phone, std::int64_t now) {
    return changed_a_row(prepared(db_, "UPDATE users SET phone = ?, updated_at = ? WHERE id = ?", phone, now, user_id));
}

result<bool> SqliteTransaction::set_password_hash(std::int64_t user_id, std::string const& hash, std::int64_t now) {
    return changed_a_row(
        prepared(db_, "UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now, user_id));
}

result<std::vector<std::int64_t>> SqliteTransaction::collect_ids(Statement& st) {
    std::vector<std::int64_t> ids;
    for (;;) {
        int rc = st.step();
        if (rc == SQLITE_DONE) return ids;
        if (rc != SQLITE_ROW) return step_error(rc);
        ids.push_back(st.int64(0));
    }
}

result<std::vector<std::int64_t>> SqliteTransaction::users_by_phone(std::string const& phone) {
    auto st = prepared(db_, "SELECT id FROM users WHERE phone = ? AND deleted_at IS NULL ORDER BY id", phone);
    if (!st) return st.error();
    return collect_ids(**st);
}

result<std::vector<std::int64_t>> SqliteTransaction::users_by_openid(std::string const& openid) {
    auto st = prepared(db_, "SELECT DISTINCT user_id FROM wechat_identities WHERE openid = ? ORDER BY user_id", openid);
    if (!st) return st.error();
    return collect_ids(**st);
}

result<bool> SqliteTransaction::set_disabled(std::int64_t user_id, bool disabled, std::int64_t now) {
    return changed_a_row(prepared(db_,
                                  "UPDATE users SET disabled = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
                                  static_cast<std::int64_t>(disabled), now, user_id));
}

result<bool> SqliteTransaction::set_role(std::int64_t user_id, std::string const& role, std::int64_t now) {
    return changed_a_row(prepared(db_, "UPDATE users SET role = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
                                  role, now, user_id));
}

result<void> SqliteTransaction::delete_identities(std::int64_t user_id) {
    return executed(prepared(db_, "DELETE FROM wechat_identities WHERE user_id = ?", user_id));
}

result<void> SqliteTransaction::erase_session_origins(std::int64_t user_id) {
    return executed(
        prepared(db_, "UPDATE sessions SET user_agent = NULL, client_ip = NULL WHERE user_id = ?", user_id));
}

result<void> SqliteTransaction::delete_user_refresh_tokens(std::int64_t user_id) {
    return executed(prepared(
        db_, "DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE user_id = ?)", user_id));
}

result<bool> SqliteTransaction::tombstone_user(std::int64_t user_id, std::int64_t now) {
    return changed_a_row(prepared(db_,
                                  "UPDATE users SET username = NULL, username_key = NULL, email = NULL, "
                                  "email_key = NULL, password_hash = NULL, nickname = '', avatar_url = '', "
                                  "phone = NULL, role = 'user', disabled = 1, deleted_at = ?, updated_at = ? "
                                  "WHERE id = ? AND deleted_at IS NULL",
                                  now, now, user_id));
}

// The batch is chosen once, by the same ordered query for both deletes: one transaction, so the
// refresh tokens removed are exactly those of the sessions removed.
result<ExpiredRows> SqliteTransaction::delete_expired_sessions(std::int64_t expired_before,
                                                               std::int64_t revoked_before,
                                                               std::int64_t limit) {
    constexpr char const* kTokens =
        "DELETE FROM refresh_tokens WHERE session_id IN (SELECT id FROM sessions WHERE (revoked_at IS NULL AND "
        "expires_at < ?1) OR (revoked_at IS NOT NULL AND access_expires_at < ?2) ORDER BY id LIMIT ?3)";
    constexpr char const* kSessions =
        "DELETE FROM sessions WHERE id IN (SELECT id FROM sessions WHERE (revoked_at IS NULL AND "
        "expires_at < ?1) OR (revoked_at IS NOT NULL AND access_expires_at < ?2) ORDER BY id LIMIT ?3)";
    auto tokens = prepared(db_, kTokens, expired_before, revoked_before, limit);
    if (!tokens) return tokens.error();
    auto token_rows = run(**tokens);
    if (!token_rows) return token_rows.error();
    auto sessions = prepared(db_, kSessions, expired_before, revoked_before, limit);
    if (!sessions) return sessions.error();
    auto session_rows = run(**sessions);
    if (!session_rows) return session_rows.error();
    return ExpiredRows{*session_rows, *token_rows};
}

result<bool> SqliteTransaction::claim_lease(std::string const& name,
                                            std::string const& holder,
                                            std::int64_t now,
                                            std::int64_t until) {
    return changed_a_row(prepared(db_,
                                  "INSERT INTO leases (name, holder, until_at) VALUES (?1, ?2, ?3) "
                                  "ON CONFLICT (name) DO UPDATE SET holder = ?2, until_at = ?3 "
                                  "WHERE leases.until_at <= ?4 OR leases.holder = ?2",
                                  name, holder, until, now));
}

result<std::optional<std::int64_t>> SqliteTransaction::lock_identity_owner(std::string const& app_id,
                                                                           std::string const& openid) {
    auto st = prepared(db_, "SELECT user_id FROM wechat_identities WHERE app_id = ? AND openid = ?", app_id, openid);
    if (!st) return st.error();
    int rc = (*st)->step();
    if (rc == SQLITE_DONE) return std::optional<std::int64_t>{};
    if (rc != SQLITE_ROW) return step_error(rc);
    return std::optional<std::int64_t>{(*st)->int64(0)};
}

// One writer at a time (the committer runs units one after the other): nothing to serialise.
result<void> SqliteTransaction::lock_unionid(std::string const&) { return {}; }

result<std::optional<std::int64_t>> SqliteTransaction::unionid_owner(std::string const& unionid) {
    auto st = prepared(db_, "SELECT user_id FROM wechat_identities WHERE unionid = ? ORDER BY id LIMIT 1", unionid);
    if (!st) return st.error();
    int rc = (*st)->step();
    if (rc == SQLITE_DONE) return std::optional<std::int64_t>{};
    if (rc != SQLITE_ROW) return step_error(rc);
    return std::optional<std::int64_t>{(*st)->int64(0)};
}

result<std::vector<std::int64_t>> SqliteTransaction::identity_owners(WeChatIdentity const& id) {
    auto st = prepared(db_,
                       "SELECT DISTINCT user_id FROM wechat_identities WHERE (app_id = ? AND openid = ?) "
                       "OR (unionid IS NOT NULL AND unionid = ?)",
                       id.app_id, id.openid, id.unionid);
    if (!st) return st.error();
    std::vector<std::int64_t> owners;
    for (;;) {
        int rc = (*st)->step();
        if (rc == SQLITE_DONE) return owners;
        if (rc != SQLITE_ROW) return step_error(rc);
        owners.push_back((*st)->int64(0));
    }
}

result<bool> SqliteTransaction::insert_identity(std::int64_t user_id,
                                                WeChatIdentity const& id,
                                                Bytes sealed,
                                                std::int64_t now) {
    return changed_a_row(
        prepared(db_,
                 "INSERT INTO wechat_identities (app_id, openid, unionid, user_id, session_key_sealed, "
                 "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?) "
                 "ON CONFLICT (app_id, openid) DO NOTHING",
                 id.app_id, id.openid, id.unionid, user_id, sealed, now, now));
}

result<void> SqliteTransaction::refresh_identity(WeChatIdentity const& id, Bytes sealed, std::int64_t now) {
    return executed(prepared(db_,
                             "UPDATE wechat_identities SET session_key_sealed = ?, unionid = COALESCE(?, unionid), "
                             "updated_at = ? WHERE app_id = ? AND openid = ?",
                             sealed, id.unionid, now, id.app_id, id.openid));
}

result<std::optional<Sealed>> SqliteTransaction::sealed_session_key(std::int64_t user_id, std::string const& app_id) {
    auto st = prepared(db_,
                       "SELECT session_key_sealed FROM wechat_identities WHERE user_id = ? AND app_id = ? AND "
                       "session_key_sealed IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT 1",
                       user_id, app_id);
    if (!st) return st.error();
    int rc = (*st)->step();
    if (rc == SQLITE_DONE) return std::optional<Sealed>{};
    if (rc != SQLITE_ROW) return step_error(rc);
    return std::optional<Sealed>{(*st)->blob(0)};
}

result<void> SqliteTransaction::insert_session(std::int64_t user_id, NewSession const& s) {
    auto session = prepared(db_,
                            "INSERT INTO sessions (id, user_id, generation, created_at, refreshed_at, expires_at, "
                            "access_expires_at, method, user_agent, client_ip) VALUES (?, ?, 0, ?, ?, ?, ?, ?, ?, ?)",
                            s.id, user_id, s.created_at, s.created_at, s.expires_at, s.access_expires_at, s.method,
                            s.user_agent, s.client_ip);
    if (auto inserted = executed(std::move(session)); !inserted) return inserted;
    return insert_refresh_token(s.id, s.refresh_hash, 0, s.created_at);
}

result<std::optional<RefreshTokenRecord>> SqliteTransaction::lock_refresh_token(Bytes hash) {
    auto st = prepared(db_,
                       "SELECT t.session_id, s.user_id, s.generation, s.expires_at, s.access_expires_at, "
                       "t.used_at IS NOT NULL, s.revoked_at IS NOT NULL, u.disabled <> 0 "
                       "FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id "
                       "WHERE t.hash = ?",
                       hash);
    if (!st) return st.error();
    auto& q = **st;
    int rc = q.step();
    if (rc == SQLITE_DONE) return std::optional<RefreshTokenRecord>{};
    if (rc != SQLITE_ROW) return step_error(rc);
    return std::optional<RefreshTokenRecord>{RefreshTokenRecord{
        q.text(0), q.int64(1), q.int64(2), q.int64(3), q.int64(4), q.int64(5) != 0, q.int64(6) != 0, q.int64(7) != 0}};
}

result<bool> SqliteTransaction::spend_refresh_token(Bytes hash, std::int64_t now) {
    return changed_a_row(
        prepared(db_, "UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL", now, hash));
}

result<void> SqliteTransaction::insert_refresh_token(std::string const& session_id,
                                                     Bytes hash,
                                                     std::int64_t generation,
                                                     std::int64_t now) {
    return executed(
        prepared(db_, "INSERT INTO refresh_tokens (hash, session_id, generation, created_at) VALUES (?, ?, ?, ?)", hash,
                 session_id, generation, now));
}

result<void> SqliteTransaction::advance_session(std::string const& session_id,
                                                std::int64_t generation,
                                                std::int64_t now,
                                                std::int64_t access_expires_at) {
    return executed(prepared(db_,
                             "UPDATE sessions SET generation = ?, refreshed_at = ?, "
                             "access_expires_at = MAX(access_expires_at, ?) WHERE id = ?",
                             generation, now, access_expires_at, session_id));
}

result<std::vector<RevokedSession>> SqliteTransaction::collect_revoked(Statement& st) {
    std::vector<RevokedSession> out;
    for (;;) {
        int rc = st.step();
        if (rc == SQLITE_DONE) return out;
        if (rc != SQLITE_ROW) return step_error(rc);
        out.push_back(RevokedSession{st.text(0), st.int64(1)});
    }
}

result<std::vector<RevokedSession>> SqliteTransaction::revoke_session(std::int64_t user_id,
                                                                      std::string const& session_id,
                                                                      std::int64_t now) {
    auto st = prepared(db_,
                       "UPDATE sessions SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL "
                       "RETURNING id, access_expires_at",
                       now, session_id, user_id);
    if (!st) return st.error();
    return collect_revoked(**st);
}

result<std::vector<RevokedSession>> SqliteTransaction::revoke_user_sessions(std::int64_t user_id,
                                                                            std::int64_t now,
                                                                            std::string const& except_session) {
    auto st = prepared(db_,
                       "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL AND id <> ? "
                       "RETURNING id, access_expires_at",
                       now, user_id, except_session);
    if (!st) return st.error();
    return collect_revoked(**st);
}

result<std::vector<SessionInfo>> SqliteTransaction::live_sessions(std::int64_t user_id, std::int64_t now) {
    auto st = prepared(db_,
                       "SELECT id, method, created_at, refreshed_at, user_agent, client_ip FROM sessions "
                       "WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id DESC",
                       user_id, now);
    if (!st) return st.error();
    auto& q = **st;
    std::vector<SessionInfo> out;
    for (int rc; (rc = q.step()) != SQLITE_DONE;) {
        if (rc != SQLITE_ROW) return step_error(rc);
        out.push_back(
            SessionInfo{q.text(0), q.text(1), q.int64(2), q.int64(3), q.optional_text(4), q.optional_text(5)});
    }
    return out;
}

result<std::vector<RevokedSession>> SqliteTransaction::revoked_sessions(std::int64_t alive_at) {
    auto st = prepared(db_,
                       "SELECT id, access_expires_at FROM sessions WHERE revoked_at IS NOT NULL AND "
                       "access_expires_at > ?",
                       alive_at);
    if (!st) return st.error();
    return collect_revoked(**st);
}

result<void> SqliteTransaction::append_change(ChangeKind kind,
                                              std::string const& subject,
                                              std::int64_t until,
                                              std::int64_t now) {
    return executed(prepared(db_, "INSERT INTO changes (kind, subject, until_at, created_at) VALUES (?, ?, ?, ?)",
                             static_cast<std::int64_t>(kind), subject, until, now));
}

result<std::vector<Change>> SqliteTransaction::changes_after(std::int64_t after, std::int64_t limit) {
    auto st = prepared(db_, "SELECT seq, kind, subject, until_at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?",
                       after, limit);
    if (!st) return st.error();
    std::vector<Change> out;
    for (;;) {
        int rc = (*st)->step();
        if (rc == SQLITE_DONE) return out;
        if (rc != SQLITE_ROW) return step_error(rc);
        out.push_back(
            Change{(*st)->int64(0), static_cast<ChangeKind>((*st)->int64(1)), (*st)->text(2), (*st)->int64(3)});
    }
}

result<std::int64_t> SqliteTransaction::last_change_seq() {
    auto st = prepared(db_, "SELECT COALESCE(MAX(seq), 0) FROM changes");
    if (!st) return st.error();
    if (int rc = (*st)->step(); rc != SQLITE_ROW) return step_error(rc);
    return (*st)->int64(0);
}

result<std::int64_t> SqliteTransaction::prune_changes(std::int64_t created_before) {
    auto st = prepared(db_, "DELETE FROM changes WHERE created_at < ?", created_before);
    if (!st) return st.error();
    return run(**st);
}

}  // namespace wx::store
