#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/task.hpp"
#include "store/backend.hpp"
#include "store/model.hpp"

namespace wx::store {

// Accounts: lookup, password registration, profile, phone and password hash.
// Thread safety: all member functions may be called concurrently.
class UserStore {
public:
    explicit UserStore(Backend& backend) : backend_(backend) {}

    // The user with its first WeChat identity; Errc::not_found when there is none.
    Task<result<User>> find(std::int64_t id);
    // The account whose canonical username / email is `key`; nullopt when there is none.
    Task<result<std::optional<StoredCredentials>>> credentials_by_username_key(std::string key);
    Task<result<std::optional<StoredCredentials>>> credentials_by_email_key(std::string key);
    Task<result<std::optional<StoredCredentials>>> credentials_by_id(std::int64_t user_id);

    // Creates the account with its first session, unless its username or email key is taken
    // (two registrations racing for one name: one is created, the other told username_taken).
    Task<result<RegisterOutcome>> register_user(NewPasswordUser user);
    // The updated user; Errc::not_found when it does not exist.
    Task<result<User>> update_profile(std::int64_t user_id, ProfileChange change);
    Task<result<User>> set_phone(std::int64_t user_id, std::string phone, std::int64_t now);
    Task<result<void>> set_password_hash(std::int64_t user_id, std::string hash, std::int64_t now);
    // A new password: the hash replaced and every session of the user but `keep_session` revoked,
    // in one transaction (logged for the other instances); answers what was revoked.
    Task<result<std::vector<RevokedSession>>> change_password(std::int64_t user_id,
                                                              std::string hash,
                                                              std::string keep_session,
                                                              std::int64_t now);

private:
    Backend& backend_;
};

// The user as it is now inside `tx`; Errc::not_found when it does not exist. Shared by the rules
// that answer with the user they changed.
[[nodiscard]] result<User> load_user(Transaction& tx, std::int64_t id);

}  // namespace wx::store
