#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "store/errors.hpp"
#include "store/model.hpp"

namespace wx::store {

// The durable record of users, identities and sessions. SQLite today; MySQL behind the same seam.
// Every call runs on the bounded blocking pool and may fail with store::Errc::overloaded.
// Thread safety: all member functions may be called concurrently.
class Database {
public:
    virtual ~Database() = default;

    // Creates or upgrades the schema; idempotent. Synchronous: it runs once, before serving.
    virtual result<void> migrate_sync() = 0;
    virtual Task<result<void>> ping() = 0;

    // In one transaction: find the user by (app_id, openid) — or by unionid across apps — or
    // create it; store the sealed session_key; create the login session. Concurrent first logins
    // of one identity create exactly one user.
    virtual Task<result<LoginOutcome>> wechat_login(WeChatLogin login) = 0;

    virtual Task<result<User>> user_by_id(std::int64_t id) = 0;

    // Spends a refresh token and stores its successor atomically: of concurrent refreshes with
    // one token exactly one is `rotated`; a spent token revokes its whole session (`reused`).
    virtual Task<result<RefreshOutcome>> refresh(Rotation rotation) = 0;
    // Revokes one session of the user (none when it is unknown or already revoked).
    virtual Task<result<std::vector<RevokedSession>>> revoke_session(std::int64_t user_id,
                                                                     std::string session_id,
                                                                     std::int64_t now) = 0;
    // Revokes every live session of the user.
    virtual Task<result<std::vector<RevokedSession>>> revoke_all_sessions(std::int64_t user_id, std::int64_t now) = 0;
    // Revoked sessions whose access tokens may still be unexpired at `now`: the in-memory
    // revocation list is rebuilt from these at start. Synchronous: it runs once, before serving.
    virtual result<std::vector<RevokedSession>> revoked_sessions_sync(std::int64_t now) = 0;

    virtual Task<result<User>> update_profile(std::int64_t user_id, ProfileChange change) = 0;

    // Creates a password account with its first session, unless the username or email key is taken.
    virtual Task<result<RegisterOutcome>> register_user(NewPasswordUser user) = 0;
    // The account whose username key (or email key, when `by_email`) is `key`; nullopt if none.
    virtual Task<result<std::optional<StoredCredentials>>> credentials(std::string key, bool by_email) = 0;
    // A new login session for an existing user; the user as it is now.
    virtual Task<result<User>> start_session(std::int64_t user_id, NewSession session) = 0;
    virtual Task<result<void>> set_password_hash(std::int64_t user_id, std::string hash, std::int64_t now) = 0;

    // Links a WeChat identity (with its fresh sealed session_key) to the user, unless another
    // user already has it.
    virtual Task<result<BindOutcome>> bind_wechat(std::int64_t user_id,
                                                  WeChatIdentity identity,
                                                  std::vector<unsigned char> session_key_sealed,
                                                  std::int64_t now) = 0;
    // The sealed session_key of the user's identity in `app_id`; nullopt when there is none.
    virtual Task<result<std::optional<std::vector<unsigned char>>>> sealed_session_key(std::int64_t user_id,
                                                                                       std::string app_id) = 0;
    virtual Task<result<User>> set_phone(std::int64_t user_id, std::string phone, std::int64_t now) = 0;
};

}  // namespace wx::store
