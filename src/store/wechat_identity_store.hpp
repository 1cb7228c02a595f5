#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/task.hpp"
#include "store/backend.hpp"
#include "store/model.hpp"

namespace wx::store {

// WeChat identities: login (find or create the user), binding to an account, stored session keys.
// Thread safety: all member functions may be called concurrently.
class WeChatIdentityStore {
public:
    explicit WeChatIdentityStore(Backend& backend) : backend_(backend) {}

    // In one transaction: finds the user by (app_id, openid) — or by unionid across apps when the
    // login allows it — or creates it; stores the sealed session_key; starts the login session.
    // Concurrent first logins of one identity create exactly one user, and exactly one of them
    // answers `created`.
    Task<result<LoginOutcome>> login(WeChatLogin login);
    // Links the identity (with its fresh session_key) to the user, unless another user has it
    // (same app and openid, or the same unionid). Errc::not_found when the user is gone.
    Task<result<BindOutcome>> bind(BindWeChat bind);
    // The sealed session_key of the user's latest login in `app_id`; nullopt when there is none.
    Task<result<std::optional<Sealed>>> sealed_session_key(std::int64_t user_id, std::string app_id);

private:
    Backend& backend_;
};

}  // namespace wx::store
