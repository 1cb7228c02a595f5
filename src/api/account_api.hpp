#pragma once

#include <vector>

#include "api/audit.hpp"
#include "api/password_check.hpp"
#include "core/clock.hpp"
#include "http/pipeline.hpp"
#include "store/account_lifecycle.hpp"
#include "store/revocation_list.hpp"
#include "store/user_cache.hpp"
#include "store/user_store.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {

// DELETE /api/v1/users/me (behind RequireAuth): the user's own account deletion, with proof of
// presence — the password, or a fresh WeChat code that resolves to one of the caller's identities
// (API.md "Delete account"). Shares its erasure with the administrators' deletion.
// Thread safety: handlers may run concurrently.
class AccountApi {
public:
    struct Deps {
        store::UserStore& accounts;
        store::AccountLifecycle& lifecycle;
        wechat::WeChatApi& wechat;
        std::vector<wechat::AppCredentials> apps;  // apps.front() is the default
        PasswordCheck& password_check;
        store::RevocationList& revocations;
        store::UserCache& users;
        Audit& audit;
        Clock const& clock;
    };
    explicit AccountApi(Deps deps) : d_(std::move(deps)) {}

    Task<http::Response> delete_me(http::Request& req, http::RequestContext& ctx);

private:
    Deps d_;
};

// Erases the account (store::AccountLifecycle::delete_account), then makes it hold at once here
// and on the other instances: its sessions announced revoked, its cached copies dropped.
// Errc::not_found when it does not exist or is deleted already.
Task<result<void>> delete_account(store::AccountLifecycle& lifecycle,
                                  store::RevocationList& revocations,
                                  store::UserCache& users,
                                  std::int64_t user_id,
                                  std::int64_t now);

}  // namespace wx::api
