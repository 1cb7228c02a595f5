#pragma once

#include "store/mysql_connection.hpp"
#include "store/transaction.hpp"

namespace wx::store {

// The primitives of transaction.hpp in MariaDB's SQL, on a connection whose transaction the
// backend has opened (REPEATABLE READ; MysqlBackend says how the contract's races resolve). Plain
// reads come from the unit's snapshot; row locks do what SQLite's one write lock does:
// lock_refresh_token and the revoke_* reads are SELECT ... FOR UPDATE, lock_identity_owner locks
// the identity when the snapshot has it; insert_identity is a plain INSERT whose duplicate-key
// refusal (which InnoDB undoes alone, not the transaction) answers "not inserted";
// spend_refresh_token is an UPDATE guarded by `used_at IS NULL`, judged by its matched rows; the
// revoke_* primitives lock the live sessions, then revoke exactly those (MariaDB 10.11 has no
// UPDATE ... RETURNING).
//
// Once a statement fails, the transaction may be gone (a deadlock rolls all of it back, a lost
// connection takes it along): every later primitive answers the same error without reaching the
// server, so nothing of a failed unit can run outside its transaction.
// Thread safety: none; one thread, inside one open transaction.
class MysqlTransaction final : public Transaction {
public:
    explicit MysqlTransaction(MysqlConnection& db) : db_(db) {}

    result<std::optional<User>> find_user(std::int64_t id) override;
    result<std::int64_t> insert_user(NewUserRow const& row) override;
    result<std::optional<StoredCredentials>> credentials_by_username_key(std::string const& key) override;
    result<std::optional<StoredCredentials>> credentials_by_id(std::int64_t user_id) override;
    result<std::optional<StoredCredentials>> credentials_by_email_key(std::string const& key) override;
    result<bool> update_profile(std::int64_t user_id, ProfileChange const& change) override;
    result<bool> set_phone(std::int64_t user_id, std::string const& phone, std::int64_t now) override;
    result<bool> set_password_hash(std::int64_t user_id, std::string const& hash, std::int64_t now) override;

    result<std::vector<std::int64_t>> users_by_phone(std::string const& phone) override;
    result<std::vector<std::int64_t>> users_by_openid(std::string const& openid) override;
    result<bool> set_disabled(std::int64_t user_id, bool disabled, std::int64_t now) override;
    result<bool> set_role(std::int64_t user_id, std::string const& role, std::int64_t now) override;
    result<void> delete_identities(std::int64_t user_id) override;
    result<void> erase_session_origins(std::int64_t user_id) override;
    result<void> delete_user_refresh_tokens(std::int64_t user_id) override;
    result<bool> tombstone_user(std::int64_t user_id, std::int64_t now) override;
    result<ExpiredRows> delete_expired_sessions(std::int64_t expired_before,
                                                std::int64_t revoked_before,
                                                std::int64_t limit) override;
    result<bool> claim_lease(std::string const& name,
                             std::string const& holder,
                             std::int64_t now,
                             std::int64_t until) override;

    result<std::optional<std::int64_t>> lock_identity_owner(std::string const& app_id,
                                                            std::string const& openid) override;
    result<void> lock_unionid(std::string const& unionid) override;
    result<std::optional<std::int64_t>> unionid_owner(std::string const& unionid) override;
    result<std::vector<std::int64_t>> identity_owners(WeChatIdentity const& identity) override;
    result<bool> insert_identity(std::int64_t user_id,
                                 WeChatIdentity const& identity,
                                 Bytes session_key_sealed,
                                 std::int64_t now) override;
    result<void> refresh_identity(WeChatIdentity const& identity, Bytes session_key_sealed, std::int64_t now) override;
    result<std::optional<Sealed>> sealed_session_key(std::int64_t user_id, std::string const& app_id) override;

    result<void> insert_session(std::int64_t user_id, NewSession const& session) override;
    result<std::optional<RefreshTokenRecord>> lock_refresh_token(Bytes hash) override;
    result<bool> spend_refresh_token(Bytes hash, std::int64_t now) override;
    result<void> insert_refresh_token(std::string const& session_id,
                                      Bytes hash,
                                      std::int64_t generation,
                                      std::int64_t now) override;
    result<void> advance_session(std::string const& session_id,
                                 std::int64_t generation,
                                 std::int64_t now,
                                 std::int64_t access_expires_at) override;
    result<std::vector<RevokedSession>> revoke_session(std::int64_t user_id,
                                                       std::string const& session_id,
                                                       std::int64_t now) override;
    result<std::vector<RevokedSession>> revoke_user_sessions(std::int64_t user_id,
                                                             std::int64_t now,
                                                             std::string const& except_session) override;
    result<std::vector<SessionInfo>> live_sessions(std::int64_t user_id, std::int64_t now) override;
    result<std::vector<RevokedSession>> revoked_sessions(std::int64_t alive_at) override;

    result<void> append_change(ChangeKind kind,
                               std::string const& subject,
                               std::int64_t until,
                               std::int64_t now) override;
    result<std::vector<Change>> changes_after(std::int64_t after, std::int64_t limit) override;
    result<std::int64_t> last_change_seq() override;
    result<std::int64_t> prune_changes(std::int64_t created_before) override;

    // The error that ended this transaction; empty while it is usable.
    [[nodiscard]] error_code ended() const { return ended_; }

private:
    // Prepares (cached), binds in order and executes.
    template <class... Args>
    result<MysqlQuery> run(std::string_view sql, Args const&... args);
    // The next row of `q`.
    result<bool> next(MysqlQuery& q);
    // Runs a statement without rows; whether it matched a row / only whether it ran.
    template <class... Args>
    result<bool> matched_a_row(std::string_view sql, Args const&... args);
    template <class... Args>
    result<void> executed(std::string_view sql, Args const&... args);
    // The single integer of a one-row query, or nullopt when it found no row.
    template <class... Args>
    result<std::optional<std::int64_t>> single_int(std::string_view sql, Args const&... args);
    // The first column of every row, as integers.
    template <class... Args>
    result<std::vector<std::int64_t>> ids(std::string_view sql, Args const&... args);
    template <class Key>
    result<std::optional<StoredCredentials>> credentials(std::string_view sql, Key const& key);
    result<std::vector<RevokedSession>> collect_revoked(MysqlQuery& q);
    result<std::vector<RevokedSession>> revoke_locked(MysqlQuery& locked, std::int64_t now);
    // Records the error as the end of this transaction.
    error_code end(error_code ec);

    MysqlConnection& db_;
    error_code ended_;
};

}  // namespace wx::store
