#pragma once

#include <optional>
#include <string>

#include "api/audit.hpp"
#include "api/password_check.hpp"
#include "api/token_issuer.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password_hasher.hpp"
#include "auth/rate_limiter.hpp"
#include "core/clock.hpp"
#include "http/pipeline.hpp"
#include "obs/metrics.hpp"
#include "store/revocation_list.hpp"
#include "store/session_store.hpp"
#include "store/user_cache.hpp"
#include "store/user_store.hpp"

namespace wx::api {

// Username/password accounts: POST /auth/register and POST /auth/login. Argon2id runs on the
// hasher's own bounded pool; unknown users cost one dummy verification like a wrong password;
// repeated failures per account and per client address lock out with 429.
// Thread safety: handlers may run concurrently.
class PasswordApi {
public:
    struct Deps {
        store::UserStore& accounts;
        store::SessionStore& sessions;
        store::UserCache& users;
        TokenIssuer const& issuer;
        auth::PasswordHasher& hasher;
        auth::LoginThrottle& throttle;
        auth::RateLimiter& register_limit;  // registrations per client address
        store::RevocationList& revocations;
        Clock const& clock;
        obs::Counter& failed_logins;  // wrong password or unknown user
        obs::Counter& locked_logins;  // refused with 429 before the password was checked
        PasswordCheck& password_check;
        Audit& audit;
    };
    explicit PasswordApi(Deps deps) : d_(deps) {}

    Task<http::Response> register_account(http::Request& req, http::RequestContext& ctx);
    Task<http::Response> login(http::Request& req, http::RequestContext& ctx);
    // POST /api/v1/users/me/password (behind RequireAuth): the current password verified like a
    // login (and counted by the same limits), the new one by the registration rules; every other
    // session of the user is revoked.
    Task<http::Response> change_password(http::Request& req, http::RequestContext& ctx);

private:
    // A successful login: a new session and its TokenPair (a fresh hash first when the stored
    // one uses weaker parameters than configured).
    Task<http::Response> start_session(std::int64_t user_id,
                                       bool rehash,
                                       std::optional<std::string> password,
                                       http::Request& req,
                                       http::RequestContext& ctx);
    Deps d_;
};

}  // namespace wx::api
