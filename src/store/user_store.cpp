#include "store/user_store.hpp"

#include "store/change_log.hpp"

namespace wx::store {
namespace {

result<RegisterOutcome> register_rule(Transaction& tx, NewPasswordUser const& u) {
    RegisterOutcome out;
    auto name_owner = tx.credentials_by_username_key(u.username_key);
    if (!name_owner) return name_owner.error();
    if (*name_owner) {
        out.verdict = RegisterVerdict::username_taken;
        return out;
    }
    if (u.email_key) {
        auto email_owner = tx.credentials_by_email_key(*u.email_key);
        if (!email_owner) return email_owner.error();
        if (*email_owner) {
            out.verdict = RegisterVerdict::email_taken;
            return out;
        }
    }
    // A registration racing this one for the same name or email makes the insert a conflict; the
    // rerun then sees its row and answers *_taken.
    auto id = tx.insert_user(NewUserRow{u.username, u.username_key, u.email, u.email_key, u.password_hash, u.now});
    if (!id) return id.error();
    if (auto s = tx.insert_session(*id, u.session); !s) return s.error();
    auto user = load_user(tx, *id);
    if (!user) return user.error();
    out.user = std::move(*user);
    return out;
}

// Applies a change that reports whether the user exists, logs it for the other instances' caches,
// then answers the user as it is now.
template <class Apply>
result<User> change_then_load(Transaction& tx, std::int64_t user_id, std::int64_t now, Apply apply) {
    result<bool> found = apply();
    if (!found) return found.error();
    if (!*found) return make_error_code(Errc::not_found);
    if (auto logged = log_user_changed(tx, user_id, now); !logged) return logged.error();
    return load_user(tx, user_id);
}

}  // namespace

result<User> load_user(Transaction& tx, std::int64_t id) {
    auto user = tx.find_user(id);
    if (!user) return user.error();
    if (!*user) return make_error_code(Errc::not_found);
    return std::move(**user);
}

Task<result<User>> UserStore::find(std::int64_t id) {
    auto body = [id](Transaction& tx) { return load_user(tx, id); };
    return read<User>(backend_, body);
}

Task<result<std::optional<StoredCredentials>>> UserStore::credentials_by_username_key(std::string key) {
    auto body = [key = std::move(key)](Transaction& tx) { return tx.credentials_by_username_key(key); };
    return read<std::optional<StoredCredentials>>(backend_, std::move(body));
}

Task<result<std::optional<StoredCredentials>>> UserStore::credentials_by_id(std::int64_t user_id) {
    auto body = [user_id](Transaction& tx) { return tx.credentials_by_id(user_id); };
    return read<std::optional<StoredCredentials>>(backend_, std::move(body));
}

Task<result<std::optional<StoredCredentials>>> UserStore::credentials_by_email_key(std::string key) {
    auto body = [key = std::move(key)](Transaction& tx) { return tx.credentials_by_email_key(key); };
    return read<std::optional<StoredCredentials>>(backend_, std::move(body));
}

Task<result<RegisterOutcome>> UserStore::register_user(NewPasswordUser user) {
    auto body = [user = std::move(user)](Transaction& tx) { return register_rule(tx, user); };
    return write<RegisterOutcome>(backend_, std::move(body));
}

Task<result<User>> UserStore::update_profile(std::int64_t user_id, ProfileChange change) {
    auto body = [user_id, change = std::move(change)](Transaction& tx) {
        return change_then_load(tx, user_id, change.now, [&] { return tx.update_profile(user_id, change); });
    };
    return write<User>(backend_, std::move(body));
}

Task<result<User>> UserStore::set_phone(std::int64_t user_id, std::string phone, std::int64_t now) {
    auto body = [user_id, phone = std::move(phone), now](Transaction& tx) {
        return change_then_load(tx, user_id, now, [&] { return tx.set_phone(user_id, phone, now); });
    };
    return write<User>(backend_, std::move(body));
}

Task<result<void>> UserStore::set_password_hash(std::int64_t user_id, std::string hash, std::int64_t now) {
    auto body = [user_id, hash = std::move(hash), now](Transaction& tx) -> result<void> {
        auto found = tx.set_password_hash(user_id, hash, now);
        if (!found) return found.error();
        if (!*found) return make_error_code(Errc::not_found);
        return {};
    };
    return write<void>(backend_, std::move(body));
}

Task<result<std::vector<RevokedSession>>> UserStore::change_password(std::int64_t user_id,
                                                                     std::string hash,
                                                                     std::string keep_session,
                                                                     std::int64_t now) {
    auto body = [user_id, hash = std::move(hash), keep = std::move(keep_session),
                 now](Transaction& tx) -> result<std::vector<RevokedSession>> {
        auto found = tx.set_password_hash(user_id, hash, now);
        if (!found) return found.error();
        if (!*found) return make_error_code(Errc::not_found);
        auto revoked = tx.revoke_user_sessions(user_id, now, keep);
        if (!revoked) return revoked.error();
        if (auto logged = log_revocations(tx, *revoked, now); !logged) return logged.error();
        return revoked;
    };
    return write<std::vector<RevokedSession>>(backend_, std::move(body));
}

}  // namespace wx::store
