#pragma once
// The backend contract: the small primitives every database backend implements, each a statement
// or two of SQL inside the transaction the backend opened. The rules that combine them (who owns
// an identity, what a spent refresh token means) are written once, above, in the *_rules.cpp
// files; a backend holds SQL, not policy.
//
// Concurrency is the primitives' job, not a single writer's: the `lock_*` reads take a row lock
// where the backend has them (SELECT ... FOR UPDATE), inserts that a concurrent transaction may
// race are insert-if-absent and say whether they inserted, and a unique-constraint refusal is
// Errc::conflict. A rule that loses such a race returns Errc::conflict, and the backend reruns the
// whole unit in a fresh transaction (see Backend).

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "store/errors.hpp"
#include "store/model.hpp"

namespace wx::store {

using Sealed = std::vector<unsigned char>;
using Bytes = std::span<unsigned char const>;

// Thread safety: none; a transaction belongs to the one thread running its unit of work.
class Transaction {
public:
    virtual ~Transaction() = default;

    // --- users ---
    // The user with its first WeChat identity; nullopt when there is no such row.
    virtual result<std::optional<User>> find_user(std::int64_t id) = 0;
    // The new user's id; Errc::conflict when its username or email key is taken.
    virtual result<std::int64_t> insert_user(NewUserRow const& row) = 0;
    virtual result<std::optional<StoredCredentials>> credentials_by_username_key(std::string const& key) = 0;
    virtual result<std::optional<StoredCredentials>> credentials_by_email_key(std::string const& key) = 0;
    virtual result<std::optional<StoredCredentials>> credentials_by_id(std::int64_t user_id) = 0;
    // Each returns false when the user does not exist. Absent fields of the change stay as they are.
    virtual result<bool> update_profile(std::int64_t user_id, ProfileChange const& change) = 0;
    virtual result<bool> set_phone(std::int64_t user_id, std::string const& phone, std::int64_t now) = 0;
    virtual result<bool> set_password_hash(std::int64_t user_id, std::string const& hash, std::int64_t now) = 0;

    // --- administration and deletion ---
    // Users with exactly this phone / with an identity of this openid in any app.
    virtual result<std::vector<std::int64_t>> users_by_phone(std::string const& phone) = 0;
    virtual result<std::vector<std::int64_t>> users_by_openid(std::string const& openid) = 0;
    // Each returns false when the user does not exist (or is deleted).
    virtual result<bool> set_disabled(std::int64_t user_id, bool disabled, std::int64_t now) = 0;
    virtual result<bool> set_role(std::int64_t user_id, std::string const& role, std::int64_t now) = 0;
    // Erasure (API.md "Delete account"): the user's identities with their sealed session keys,
    // the user agent and address kept with its sessions, its refresh tokens; then the users row
    // keeps only its id and timestamps, marked deleted (find_user no longer sees it).
    virtual result<void> delete_identities(std::int64_t user_id) = 0;
    virtual result<void> erase_session_origins(std::int64_t user_id) = 0;
    virtual result<void> delete_user_refresh_tokens(std::int64_t user_id) = 0;
    virtual result<bool> tombstone_user(std::int64_t user_id, std::int64_t now) = 0;

    // --- WeChat identities ---
    // The owner of (app_id, openid), locking that row for the rest of the transaction.
    virtual result<std::optional<std::int64_t>> lock_identity_owner(std::string const& app_id,
                                                                    std::string const& openid) = 0;
    // Serialises the logins and binds of one person (one unionid, across apps) until the
    // transaction ends, so that two first logins of that person through two apps cannot both
    // create a user: no unique key can say "one user per unionid" (a person has an identity per
    // app). Take it before any other lock of the unit; the reads below then see what the previous
    // holder committed. A backend with a single writer has nothing to do.
    virtual result<void> lock_unionid(std::string const& unionid) = 0;
    // The owner of the oldest identity with this unionid (the same person in another app).
    virtual result<std::optional<std::int64_t>> unionid_owner(std::string const& unionid) = 0;
    // Every user owning (app_id, openid) or, when it has one, the identity's unionid.
    virtual result<std::vector<std::int64_t>> identity_owners(WeChatIdentity const& identity) = 0;
    // Insert-if-absent: false when (app_id, openid) exists already (a concurrent login won).
    virtual result<bool> insert_identity(std::int64_t user_id,
                                         WeChatIdentity const& identity,
                                         Bytes session_key_sealed,
                                         std::int64_t now) = 0;
    // Stores the fresh session_key of an existing identity and a unionid WeChat newly reports.
    virtual result<void> refresh_identity(WeChatIdentity const& identity,
                                          Bytes session_key_sealed,
                                          std::int64_t now) = 0;
    // The sealed session_key of the user's most recently refreshed identity in `app_id`.
    virtual result<std::optional<Sealed>> sealed_session_key(std::int64_t user_id, std::string const& app_id) = 0;

    // --- sessions and refresh tokens ---
    // The session row and its first refresh token.
    virtual result<void> insert_session(std::int64_t user_id, NewSession const& session) = 0;
    // The refresh token with this hash, its session and user, locking the token row.
    virtual result<std::optional<RefreshTokenRecord>> lock_refresh_token(Bytes hash) = 0;
    // Mark-spent-if-unspent: false when the token was spent already.
    virtual result<bool> spend_refresh_token(Bytes hash, std::int64_t now) = 0;
    virtual result<void> insert_refresh_token(std::string const& session_id,
                                              Bytes hash,
                                              std::int64_t generation,
                                              std::int64_t now) = 0;
    // After a rotation: the session's new generation, refresh time and latest access expiry
    // (never moved backwards).
    virtual result<void> advance_session(std::string const& session_id,
                                         std::int64_t generation,
                                         std::int64_t now,
                                         std::int64_t access_expires_at) = 0;
    // Revokes the user's session `session_id` / every live session of the user; answers the
    // sessions this call revoked (none when they were revoked already or are not the user's).
    virtual result<std::vector<RevokedSession>> revoke_session(std::int64_t user_id,
                                                               std::string const& session_id,
                                                               std::int64_t now) = 0;
    // `except_session` (when not empty) stays live: a password change keeps the caller's session.
    virtual result<std::vector<RevokedSession>> revoke_user_sessions(std::int64_t user_id,
                                                                     std::int64_t now,
                                                                     std::string const& except_session) = 0;
    // The user's sessions neither revoked nor past their absolute expiry at `now`, newest first
    // (ties: the larger id first).
    virtual result<std::vector<SessionInfo>> live_sessions(std::int64_t user_id, std::int64_t now) = 0;
    // Revoked sessions whose access tokens are still unexpired at `alive_at`.
    virtual result<std::vector<RevokedSession>> revoked_sessions(std::int64_t alive_at) = 0;

    // --- the janitor ---
    // Deletes up to `limit` sessions with their refresh tokens: live ones whose refresh expiry is
    // before `expired_before`, and revoked ones whose last access token expired before
    // `revoked_before` (until then the row is the record of the revocation).
    virtual result<ExpiredRows> delete_expired_sessions(std::int64_t expired_before,
                                                        std::int64_t revoked_before,
                                                        std::int64_t limit) = 0;
    // Takes or renews the named lease for `holder` until `until` when it is free (expired at
    // `now`) or already `holder`'s; whether `holder` holds it now.
    virtual result<bool> claim_lease(std::string const& name,
                                     std::string const& holder,
                                     std::int64_t now,
                                     std::int64_t until) = 0;

    // --- the change log ---
    // Appends an entry, committed with the change it reports.
    virtual result<void> append_change(ChangeKind kind,
                                       std::string const& subject,
                                       std::int64_t until,
                                       std::int64_t now) = 0;
    // Entries with seq > `after`, in seq order, at most `limit` of them.
    virtual result<std::vector<Change>> changes_after(std::int64_t after, std::int64_t limit) = 0;
    // The newest seq (0: none yet).
    virtual result<std::int64_t> last_change_seq() = 0;
    // Deletes entries created before `created_before`; how many.
    virtual result<std::int64_t> prune_changes(std::int64_t created_before) = 0;
};

}  // namespace wx::store
