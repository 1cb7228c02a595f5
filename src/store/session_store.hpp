#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "store/backend.hpp"
#include "store/model.hpp"

namespace wx::store {

// Login sessions and their refresh-token families: start, rotation with reuse detection, revocation.
// Thread safety: all member functions may be called concurrently.
class SessionStore {
public:
    explicit SessionStore(Backend& backend) : backend_(backend) {}

    // A new session for an existing user; the user as it is now. Errc::not_found when it is gone.
    Task<result<User>> start(std::int64_t user_id, NewSession session);
    // Spends a refresh token and stores its successor atomically: of concurrent refreshes with
    // one token exactly one is `rotated`; a spent token revokes its whole session (`reused`).
    Task<result<RefreshOutcome>> refresh(Rotation rotation);
    // Revokes one session of the user / every live session of the user; answers what this call
    // revoked (nothing when it was revoked already, or is not the user's).
    Task<result<std::vector<RevokedSession>>> revoke(std::int64_t user_id, std::string session_id, std::int64_t now);
    Task<result<std::vector<RevokedSession>>> revoke_all(std::int64_t user_id, std::int64_t now);
    // The user's live sessions (not revoked, refresh not expired), newest first.
    Task<result<std::vector<SessionInfo>>> live(std::int64_t user_id, std::int64_t now);
    // Revoked sessions whose access tokens may still be unexpired at `now`: what an instance's
    // revocation list is rebuilt from at start.
    Task<result<std::vector<RevokedSession>>> revoked_since(std::int64_t now);

private:
    Backend& backend_;
};

}  // namespace wx::store
