#pragma once

#include <cstdint>

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
};

}  // namespace wx::store
