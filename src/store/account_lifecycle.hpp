#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/task.hpp"
#include "store/backend.hpp"
#include "store/model.hpp"

namespace wx::store {

// An account as an administrator sees it: the user and how many live sessions it has.
struct AdminView {
    User user;
    std::int64_t live_sessions = 0;
};

// A change that may have revoked sessions: the user as it is now and what this call revoked,
// for the caller to announce to the revocation list.
struct AccountChange {
    User user;
    std::vector<RevokedSession> revoked;
};

// Which key an administrator looks an account up by (API.md "Administration").
enum class LookupKey { username_key, email_key, phone, openid };

// The account lifecycle beyond login: deletion (erasure), disabling, roles, and the
// administrator's view of an account. Every change is logged for the other instances in its own
// transaction (change_log.hpp), so a disable or a deletion holds on every instance within 1 s.
// Thread safety: all member functions may be called concurrently.
class AccountLifecycle {
public:
    explicit AccountLifecycle(Backend& backend) : backend_(backend) {}

    // In one transaction: every session revoked, identities and sealed session keys deleted,
    // refresh tokens deleted, the sessions' user agents and addresses erased, and the users row
    // reduced to its id and timestamps. Errc::not_found when the user does not exist (or is
    // deleted already). Answers the sessions revoked.
    Task<result<std::vector<RevokedSession>>> delete_account(std::int64_t user_id, std::int64_t now);
    // Disabling revokes every session at once; enabling leaves old sessions revoked. Idempotent.
    Task<result<AccountChange>> set_disabled(std::int64_t user_id, bool disabled, std::int64_t now);
    // Errc::not_found when the user does not exist.
    Task<result<User>> set_role(std::int64_t user_id, std::string role, std::int64_t now);

    // Errc::not_found when the user does not exist (or is deleted).
    Task<result<AdminView>> view(std::int64_t user_id, std::int64_t now);
    // Exact lookup; `value` is already canonical for username_key and email_key.
    Task<result<std::vector<AdminView>>> find(LookupKey key, std::string value, std::int64_t now);
    // Who owns (app_id, openid): the proof of presence of a WeChat deletion names the caller.
    Task<result<std::vector<std::int64_t>>> identity_owners(std::string app_id, std::string openid);

private:
    Backend& backend_;
};

}  // namespace wx::store
