#include "store/mysql_transaction.hpp"

#include "obs/log.hpp"

namespace wx::store {
namespace {

// error_code converts to bool, so a result<bool> failure must say it is one.
result<bool> failed(error_code ec) { return {boost::system::in_place_error, ec}; }

}  // namespace

error_code MysqlTransaction::end(error_code ec) {
    if (!ended_) ended_ = ec;
    return ec;
}

template <class... Args>
result<MysqlQuery> MysqlTransaction::run(std::string_view sql, Args const&... args) {
    if (ended_) return ended_;
    auto q = db_.prepare(sql);
    if (!q) return end(q.error());
    (q->bind(args), ...);
    if (auto ran = q->execute(); !ran) return end(ran.error());
    return q;
}

result<bool> MysqlTransaction::next(MysqlQuery& q) {
    auto row = q.fetch();
    if (!row) return failed(end(row.error()));
    return row;
}

template <class... Args>
result<bool> MysqlTransaction::matched_a_row(std::string_view sql, Args const&... args) {
    auto q = run(sql, args...);
    if (!q) return failed(q.error());
    return q->affected_rows() > 0;
}

template <class... Args>
result<void> MysqlTransaction::executed(std::string_view sql, Args const&... args) {
    auto q = run(sql, args...);
    if (!q) return q.error();
    return {};
}

template <class... Args>
result<std::optional<std::int64_t>> MysqlTransaction::single_int(std::string_view sql, Args const&... args) {
    auto q = run(sql, args...);
    if (!q) return q.error();
    auto row = next(*q);
    if (!row) return row.error();
    if (!*row) return std::optional<std::int64_t>{};
    return std::optional<std::int64_t>{q->int64(0)};
}

result<std::optional<User>> MysqlTransaction::find_user(std::int64_t id) {
    auto q =
        run("SELECT id, username, email, nickname, avatar_url, phone, role, disabled, created_at FROM users "
            "WHERE id = ? AND deleted_at IS NULL",
            id);
    if (!q) return q.error();
    auto row = next(*q);
    if (!row) return row.error();
    if (!*row) return std::optional<User>{};
    User u;
    u.id = q->int64(0);
    u.username = q->optional_text(1);
    u.email = q->optional_text(2);
    u.nickname = q->text(3);
    u.avatar_url = q->text(4);
    u.phone = q->optional_text(5);
    u.role = q->text(6);
    u.disabled = q->int64(7) != 0;
    u.created_at = q->int64(8);

    auto wi = run("SELECT app_id, openid, unionid FROM wechat_identities WHERE user_id = ? ORDER BY id LIMIT 1", id);
    if (!wi) return wi.error();
    auto first = next(*wi);
    if (!first) return first.error();
    if (*first) u.wechat = WeChatIdentity{wi->text(0), wi->text(1), wi->optional_text(2)};
    return std::optional<User>{std::move(u)};
}

result<std::int64_t> MysqlTransaction::insert_user(NewUserRow const& r) {
    auto q =
        run("INSERT INTO users (username, username_key, email, email_key, password_hash, created_at, updated_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            r.username, r.username_key, r.email, r.email_key, r.password_hash, r.now, r.now);
    if (!q) return q.error();
    return q->insert_id();
}

template <class Key>
result<std::optional<StoredCredentials>> MysqlTransaction::credentials(std::string_view sql, Key const& key) {
    auto q = run(sql, key);
    if (!q) return q.error();
    auto row = next(*q);
    if (!row) return row.error();
    if (!*row) return std::optional<StoredCredentials>{};
    return std::optional<StoredCredentials>{StoredCredentials{q->int64(0), q->optional_text(1), q->int64(2) != 0}};
}

result<std::optional<StoredCredentials>> MysqlTransaction::credentials_by_username_key(std::string const& key) {
    return credentials("SELECT id, password_hash, disabled FROM users WHERE username_key = ?", key);
}

result<std::optional<StoredCredentials>> MysqlTransaction::credentials_by_id(std::int64_t user_id) {
    return credentials("SELECT id, password_hash, disabled FROM users WHERE id = ? AND deleted_at IS NULL", user_id);
}

result<std::optional<StoredCredentials>> MysqlTransaction::credentials_by_email_key(std::string const& key) {
    return credentials("SELECT id, password_hash, disabled FROM users WHERE email_key = ?", key);
}

result<bool> MysqlTransaction::update_profile(std::int64_t user_id, ProfileChange const& c) {
    return matched_a_row(
        "UPDATE users SET nickname = COALESCE(?, nickname), avatar_url = COALESCE(?, avatar_url), updated_at = ? "
        "WHERE id = ?",
        c.nickname, c.avatar_url, c.now, user_id);
}

result<bool> MysqlTransaction::set_phone(std::int64_t user_id, std::string const& phone, std::int64_t now) {
    return matched_a_row("UPDATE users SET phone = ?, updated_at = ? WHERE id = ?", phone, now, user_id);
}

result<bool> MysqlTransaction::set_password_hash(std::int64_t user_id, std::string const& hash, std::int64_t now) {
    return matched_a_row("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?", hash, now, user_id);
}

// The row as this transaction's snapshot has it, then locked. A locking read of a key that does
// not exist would take a gap lock, and concurrent first logins of one openid would deadlock on
// each other's gap locks until some ran out of reruns; a missing identity is left to the unique
// key instead (insert_identity answers false when a concurrent unit inserted it). The snapshot
// is also what identity_owners read earlier in the unit, so a rule sees one consistent state: a
// row changed by a unit that committed since the snapshot is a lost race (conflict, rerun).
template <class... Args>
result<std::vector<std::int64_t>> MysqlTransaction::ids(std::string_view sql, Args const&... args) {
    auto q = run(sql, args...);
    if (!q) return q.error();
    std::vector<std::int64_t> out;
    for (;;) {
        auto row = next(*q);
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(q->int64(0));
    }
}

result<std::vector<std::int64_t>> MysqlTransaction::users_by_phone(std::string const& phone) {
    return ids("SELECT id FROM users WHERE phone = ? AND deleted_at IS NULL ORDER BY id", phone);
}

result<std::vector<std::int64_t>> MysqlTransaction::users_by_openid(std::string const& openid) {
    return ids("SELECT DISTINCT user_id FROM wechat_identities WHERE openid = ? ORDER BY user_id", openid);
}

result<bool> MysqlTransaction::set_disabled(std::int64_t user_id, bool disabled, std::int64_t now) {
    return matched_a_row("UPDATE users SET disabled = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
                         static_cast<std::int64_t>(disabled), now, user_id);
}

result<bool> MysqlTransaction::set_role(std::int64_t user_id, std::string const& role, std::int64_t now) {
    return matched_a_row("UPDATE users SET role = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL", role, now,
                         user_id);
}

result<void> MysqlTransaction::delete_identities(std::int64_t user_id) {
    return executed("DELETE FROM wechat_identities WHERE user_id = ?", user_id);
}

result<void> MysqlTransaction::erase_session_origins(std::int64_t user_id) {
    return executed("UPDATE sessions SET user_agent = NULL, client_ip = NULL WHERE user_id = ?", user_id);
}

result<void> MysqlTransaction::delete_user_refresh_tokens(std::int64_t user_id) {
    return executed("DELETE t FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id WHERE s.user_id = ?",
                    user_id);
}

result<bool> MysqlTransaction::tombstone_user(std::int64_t user_id, std::int64_t now) {
    return matched_a_row(
        "UPDATE users SET username = NULL, username_key = NULL, email = NULL, email_key = NULL, "
        "password_hash = NULL, nickname = '', avatar_url = '', phone = NULL, role = 'user', disabled = 1, "
        "deleted_at = ?, updated_at = ? WHERE id = ? AND deleted_at IS NULL",
        now, now, user_id);
}

// revoked_access_expires_at is NULL for live sessions (schema v2), so its index serves the
// revoked half and sessions_expires (v7) the other. Both statements choose the same ordered batch
// inside one transaction; the foreign key would take the tokens anyway, but this way they count.
result<ExpiredRows> MysqlTransaction::delete_expired_sessions(std::int64_t expired_before,
                                                              std::int64_t revoked_before,
                                                              std::int64_t limit) {
    // revoked_access_expires_at is set exactly when the session is revoked. Both statements pick
    // the same ordered batch, in one transaction.
    constexpr char const* kTokens =
        "DELETE t FROM refresh_tokens t JOIN (SELECT id FROM sessions WHERE (revoked_access_expires_at IS NULL "
        "AND expires_at < ?) OR revoked_access_expires_at < ? ORDER BY id LIMIT ?) b ON t.session_id = b.id";
    constexpr char const* kSessions =
        "DELETE FROM sessions WHERE (revoked_access_expires_at IS NULL AND expires_at < ?) "
        "OR revoked_access_expires_at < ? ORDER BY id LIMIT ?";
    auto tokens = run(kTokens, expired_before, revoked_before, limit);
    if (!tokens) return tokens.error();
    std::int64_t const token_rows = tokens->affected_rows();
    auto sessions = run(kSessions, expired_before, revoked_before, limit);
    if (!sessions) return sessions.error();
    return ExpiredRows{sessions->affected_rows(), token_rows};
}

// The row is created free the first time; the UPDATE then matches (CLIENT_FOUND_ROWS) only when
// the lease is free or ours, and its row lock makes two claimants take turns.
result<bool> MysqlTransaction::claim_lease(std::string const& name,
                                           std::string const& holder,
                                           std::int64_t now,
                                           std::int64_t until) {
    if (auto row = executed("INSERT IGNORE INTO leases (name, holder, until_at) VALUES (?, '', 0)", name); !row)
        return failed(row.error());
    return matched_a_row("UPDATE leases SET holder = ?, until_at = ? WHERE name = ? AND (until_at <= ? OR holder = ?)",
                         holder, until, name, now, holder);
}

result<std::optional<std::int64_t>> MysqlTransaction::lock_identity_owner(std::string const& app_id,
                                                                          std::string const& openid) {
    auto seen = single_int("SELECT user_id FROM wechat_identities WHERE app_id = ? AND openid = ?", app_id, openid);
    if (!seen || !*seen) return seen;
    auto locked =
        single_int("SELECT user_id FROM wechat_identities WHERE app_id = ? AND openid = ? FOR UPDATE", app_id, openid);
    if (!locked) return locked;
    if (*locked != *seen) return end(make_error_code(Errc::conflict));
    return locked;
}

// One row per slot of unionid_locks, the slot a checksum of the unionid: the table stays small
// and holds no identifier, and two people sharing a slot only wait for each other's commit. The
// write takes the row's exclusive lock (inserting it the first time) and, being the unit's first
// statement, comes before the first read, which is what fixes an InnoDB snapshot under REPEATABLE
// READ: every read that follows sees what the previous holder committed.
result<void> MysqlTransaction::lock_unionid(std::string const& unionid) {
    auto q =
        run("INSERT INTO unionid_locks (slot) VALUES (CRC32(?) % 4096) ON DUPLICATE KEY UPDATE slot = slot", unionid);
    if (!q) return q.error();
    return {};
}

result<std::optional<std::int64_t>> MysqlTransaction::unionid_owner(std::string const& unionid) {
    return single_int("SELECT user_id FROM wechat_identities WHERE unionid = ? ORDER BY id LIMIT 1", unionid);
}

result<std::vector<std::int64_t>> MysqlTransaction::identity_owners(WeChatIdentity const& id) {
    auto q =
        run("SELECT DISTINCT user_id FROM wechat_identities WHERE (app_id = ? AND openid = ?) "
            "OR (unionid IS NOT NULL AND unionid = ?)",
            id.app_id, id.openid, id.unionid);
    if (!q) return q.error();
    std::vector<std::int64_t> owners;
    for (;;) {
        auto row = next(*q);
        if (!row) return row.error();
        if (!*row) return owners;
        owners.push_back(q->int64(0));
    }
}

result<bool> MysqlTransaction::insert_identity(std::int64_t user_id,
                                               WeChatIdentity const& id,
                                               Bytes sealed,
                                               std::int64_t now) {
    if (ended_) return failed(ended_);
    auto q = db_.prepare(
        "INSERT INTO wechat_identities (app_id, openid, unionid, user_id, session_key_sealed, created_at, updated_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    if (!q) return failed(end(q.error()));
    q->bind(id.app_id).bind(id.openid).bind(id.unionid).bind(user_id).bind(sealed).bind(now).bind(now);
    auto ran = q->execute();
    if (ran) return true;
    // (app_id, openid) is the table's only unique key besides the AUTO_INCREMENT id: a concurrent
    // login committed this identity first. InnoDB undid this statement only; the transaction goes on.
    if (q->error_number() == kMysqlDuplicateKey) return false;
    return failed(end(ran.error()));
}

result<void> MysqlTransaction::refresh_identity(WeChatIdentity const& id, Bytes sealed, std::int64_t now) {
    return executed(
        "UPDATE wechat_identities SET session_key_sealed = ?, unionid = COALESCE(?, unionid), updated_at = ? "
        "WHERE app_id = ? AND openid = ?",
        sealed, id.unionid, now, id.app_id, id.openid);
}

result<std::optional<Sealed>> MysqlTransaction::sealed_session_key(std::int64_t user_id, std::string const& app_id) {
    auto q =
        run("SELECT session_key_sealed FROM wechat_identities WHERE user_id = ? AND app_id = ? AND "
            "session_key_sealed IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT 1",
            user_id, app_id);
    if (!q) return q.error();
    auto row = next(*q);
    if (!row) return row.error();
    if (!*row) return std::optional<Sealed>{};
    return std::optional<Sealed>{q->blob(0)};
}

result<void> MysqlTransaction::insert_session(std::int64_t user_id, NewSession const& s) {
    std::int64_t const generation = 0;
    auto session = executed(
        "INSERT INTO sessions (id, user_id, generation, created_at, refreshed_at, expires_at, access_expires_at, "
        "method, user_agent, client_ip) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        s.id, user_id, generation, s.created_at, s.created_at, s.expires_at, s.access_expires_at, s.method,
        s.user_agent, s.client_ip);
    if (!session) return session;
    return insert_refresh_token(s.id, s.refresh_hash, generation, s.created_at);
}

result<std::optional<RefreshTokenRecord>> MysqlTransaction::lock_refresh_token(Bytes hash) {
    // Locks the token, its session and its user: a concurrent refresh of the same token waits
    // here and then sees it spent; a concurrent revocation of the session is seen, not overtaken.
    auto q =
        run("SELECT t.session_id, s.user_id, s.generation, s.expires_at, s.access_expires_at, t.used_at IS NOT NULL, "
            "s.revoked_at IS NOT NULL, u.disabled <> 0 "
            "FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id JOIN users u ON u.id = s.user_id "
            "WHERE t.hash = ? FOR UPDATE",
            hash);
    if (!q) return q.error();
    auto row = next(*q);
    if (!row) return row.error();
    if (!*row) return std::optional<RefreshTokenRecord>{};
    return std::optional<RefreshTokenRecord>{RefreshTokenRecord{q->text(0), q->int64(1), q->int64(2), q->int64(3),
                                                                q->int64(4), q->int64(5) != 0, q->int64(6) != 0,
                                                                q->int64(7) != 0}};
}

result<bool> MysqlTransaction::spend_refresh_token(Bytes hash, std::int64_t now) {
    return matched_a_row("UPDATE refresh_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL", now, hash);
}

result<void> MysqlTransaction::insert_refresh_token(std::string const& session_id,
                                                    Bytes hash,
                                                    std::int64_t generation,
                                                    std::int64_t now) {
    return executed("INSERT INTO refresh_tokens (hash, session_id, generation, created_at) VALUES (?, ?, ?, ?)", hash,
                    session_id, generation, now);
}

result<void> MysqlTransaction::advance_session(std::string const& session_id,
                                               std::int64_t generation,
                                               std::int64_t now,
                                               std::int64_t access_expires_at) {
    return executed(
        "UPDATE sessions SET generation = ?, refreshed_at = ?, access_expires_at = GREATEST(access_expires_at, ?) "
        "WHERE id = ?",
        generation, now, access_expires_at, session_id);
}

result<std::vector<RevokedSession>> MysqlTransaction::collect_revoked(MysqlQuery& q) {
    std::vector<RevokedSession> out;
    for (;;) {
        auto row = next(q);
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(RevokedSession{q.text(0), q.int64(1)});
    }
}

// `locked` selected (id, access_expires_at) of live sessions FOR UPDATE: nobody else can revoke
// them now, so revoking each by id answers exactly what this call revoked. One UPDATE per
// session rather than one by user_id: exact by construction, whatever else the UPDATE's range
// could meet, so the change log gets exactly what was revoked.
result<std::vector<RevokedSession>> MysqlTransaction::revoke_locked(MysqlQuery& locked, std::int64_t now) {
    auto sessions = collect_revoked(locked);
    if (!sessions) return sessions;
    for (auto const& s : *sessions)
        if (auto revoked = executed("UPDATE sessions SET revoked_at = ? WHERE id = ?", now, s.id); !revoked)
            return revoked.error();
    return sessions;
}

result<std::vector<RevokedSession>> MysqlTransaction::revoke_session(std::int64_t user_id,
                                                                     std::string const& session_id,
                                                                     std::int64_t now) {
    auto q =
        run("SELECT id, access_expires_at FROM sessions WHERE id = ? AND user_id = ? AND revoked_at IS NULL FOR UPDATE",
            session_id, user_id);
    if (!q) return q.error();
    return revoke_locked(*q, now);
}

result<std::vector<RevokedSession>> MysqlTransaction::revoke_user_sessions(std::int64_t user_id,
                                                                           std::int64_t now,
                                                                           std::string const& except_session) {
    auto q =
        run("SELECT id, access_expires_at FROM sessions WHERE user_id = ? AND revoked_at IS NULL AND id <> ? "
            "FOR UPDATE",
            user_id, except_session);
    if (!q) return q.error();
    return revoke_locked(*q, now);
}

result<std::vector<SessionInfo>> MysqlTransaction::live_sessions(std::int64_t user_id, std::int64_t now) {
    auto q =
        run("SELECT id, method, created_at, refreshed_at, user_agent, client_ip FROM sessions "
            "WHERE user_id = ? AND revoked_at IS NULL AND expires_at > ? ORDER BY created_at DESC, id DESC",
            user_id, now);
    if (!q) return q.error();
    std::vector<SessionInfo> out;
    for (;;) {
        auto row = next(*q);
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(
            SessionInfo{q->text(0), q->text(1), q->int64(2), q->int64(3), q->optional_text(4), q->optional_text(5)});
    }
}

result<std::vector<RevokedSession>> MysqlTransaction::revoked_sessions(std::int64_t alive_at) {
    // revoked_access_expires_at: access_expires_at of revoked sessions, NULL otherwise (schema v2).
    auto q = run("SELECT id, access_expires_at FROM sessions WHERE revoked_access_expires_at > ?", alive_at);
    if (!q) return q.error();
    return collect_revoked(*q);
}

result<void> MysqlTransaction::append_change(ChangeKind kind,
                                             std::string const& subject,
                                             std::int64_t until,
                                             std::int64_t now) {
    // The counter's row lock is held until this transaction ends, so seq order is commit order
    // (schema v4). LAST_INSERT_ID(expr) hands the new value to this connection's next statement.
    auto counted = matched_a_row("UPDATE change_seq SET seq = LAST_INSERT_ID(seq + 1) WHERE id = 1");
    if (!counted) return counted.error();
    if (!*counted) {
        obs::log_error("mysql_change_seq_missing");
        return end(make_error_code(Errc::internal));
    }
    return executed(
        "INSERT INTO changes (seq, kind, subject, until_at, created_at) VALUES (LAST_INSERT_ID(), ?, ?, ?, ?)",
        static_cast<std::int64_t>(kind), subject, until, now);
}

result<std::vector<Change>> MysqlTransaction::changes_after(std::int64_t after, std::int64_t limit) {
    auto q = run("SELECT seq, kind, subject, until_at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?", after, limit);
    if (!q) return q.error();
    std::vector<Change> out;
    for (;;) {
        auto row = next(*q);
        if (!row) return row.error();
        if (!*row) return out;
        out.push_back(Change{q->int64(0), static_cast<ChangeKind>(q->int64(1)), q->text(2), q->int64(3)});
    }
}

result<std::int64_t> MysqlTransaction::last_change_seq() {
    auto seq = single_int("SELECT COALESCE(MAX(seq), 0) FROM changes");
    if (!seq) return seq.error();
    return seq->value_or(0);
}

result<std::int64_t> MysqlTransaction::prune_changes(std::int64_t created_before) {
    auto q = run("DELETE FROM changes WHERE created_at < ?", created_before);
    if (!q) return q.error();
    return q->affected_rows();
}

}  // namespace wx::store
