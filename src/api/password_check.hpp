#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "api/api_error.hpp"
#include "api/audit.hpp"
#include "auth/login_throttle.hpp"
#include "auth/password_hasher.hpp"
#include "core/task.hpp"
#include "http/types.hpp"
#include "obs/metrics.hpp"

namespace wx::api {

// A signed-in caller proving again that they know their password (changing it, deleting the
// account): verified on the hashing pool and counted by the login limits on the same keys as a
// login, so that a stolen access token cannot guess the password faster than the login endpoint.
// Thread safety: verify() may run concurrently.
class PasswordCheck {
public:
    struct Deps {
        auth::PasswordHasher& hasher;
        auth::LoginThrottle& throttle;
        Audit& audit;
        obs::Counter& failed_logins;
        obs::Counter& locked_logins;
    };
    explicit PasswordCheck(Deps deps) : d_(deps) {}

    // nullopt when `password` matches `stored_hash` (the account's failures are then cleared);
    // otherwise the answer: 429 too_many_attempts with Retry-After, or 401 invalid_credentials
    // (a failed login for the limits and the audit log).
    Task<std::optional<ApiError>> verify(std::int64_t user_id,
                                         std::string stored_hash,
                                         std::string password,
                                         http::RequestContext const& ctx);

private:
    Deps d_;
};

}  // namespace wx::api
