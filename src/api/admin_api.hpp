#pragma once

#include "api/audit.hpp"
#include "auth/login_throttle.hpp"
#include "core/clock.hpp"
#include "http/pipeline.hpp"
#include "store/account_lifecycle.hpp"
#include "store/revocation_list.hpp"
#include "store/session_store.hpp"
#include "store/user_cache.hpp"

namespace wx::api {

// /api/v1/admin/... (API.md "Administration"), every handler behind RequireAuth and
// RequireRole("admin"); lookups by id and by one key, a user's sessions, unlock, delete,
// disable/enable, role. `{id}` is a {id:int} route parameter: anything else never gets here (404).
// An administrator cannot demote, disable or delete themself (409 conflict), so that a console
// slip cannot leave a deployment without an administrator. Changes are written to the audit log.
// Thread safety: handlers may run concurrently.
class AdminApi {
public:
    struct Deps {
        store::AccountLifecycle& lifecycle;
        store::SessionStore& sessions;
        store::RevocationList& revocations;
        store::UserCache& users;
        auth::LoginThrottle& throttle;
        Audit& audit;
        Clock const& clock;
    };
    explicit AdminApi(Deps deps) : d_(deps) {}

    Task<http::Response> get_user(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> find_users(http::Request& req, http::RequestContext& ctx);  // behind ParseQuery
    Task<http::Response> list_sessions(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> revoke_session(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> logout_all(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> unlock(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> delete_user(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> disable(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> enable(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> update_user(http::Request& req, http::RequestContext& ctx);  // PATCH {"role"}

private:
    Task<http::Response> set_disabled(bool disabled, http::Request& req, http::RequestContext& ctx);
    // 200 AdminUser for the user as it is now.
    Task<http::Response> answer_view(std::int64_t user_id, http::Request& req, http::RequestContext& ctx);
    void audit(AuditEvent event, std::int64_t target, http::RequestContext const& ctx, std::string_view detail = {});

    Deps d_;
};

}  // namespace wx::api
