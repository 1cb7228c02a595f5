#pragma once

#include <cstdint>
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
};

}  // namespace wx::store
