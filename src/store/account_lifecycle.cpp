#include "store/account_lifecycle.hpp"

#include "store/change_log.hpp"
#include "store/user_store.hpp"

namespace wx::store {
namespace {

result<std::vector<RevokedSession>> delete_rule(Transaction& tx, std::int64_t user_id, std::int64_t now) {
    if (auto user = load_user(tx, user_id); !user) return user.error();
    auto revoked = tx.revoke_user_sessions(user_id, now, {});
    if (!revoked) return revoked.error();
    if (auto logged = log_revocations(tx, *revoked, now); !logged) return logged.error();
    if (auto r = tx.erase_session_origins(user_id); !r) return r.error();
    if (auto r = tx.delete_user_refresh_tokens(user_id); !r) return r.error();
    if (auto r = tx.delete_identities(user_id); !r) return r.error();
    auto gone = tx.tombstone_user(user_id, now);
    if (!gone) return gone.error();
    if (!*gone) return make_error_code(Errc::not_found);
    // Cached copies must go everywhere: a deleted user's tokens are refused like a disabled one's.
    if (auto logged = log_user_changed(tx, user_id, now); !logged) return logged.error();
    return revoked;
}

result<AccountChange> disable_rule(Transaction& tx, std::int64_t user_id, bool disabled, std::int64_t now) {
    AccountChange out;
    auto found = tx.set_disabled(user_id, disabled, now);
    if (!found) return found.error();
    if (!*found) return make_error_code(Errc::not_found);
    if (disabled) {
        auto revoked = tx.revoke_user_sessions(user_id, now, {});
        if (!revoked) return revoked.error();
        if (auto logged = log_revocations(tx, *revoked, now); !logged) return logged.error();
        out.revoked = std::move(*revoked);
    }
    if (auto logged = log_user_changed(tx, user_id, now); !logged) return logged.error();
    auto user = load_user(tx, user_id);
    if (!user) return user.error();
    out.user = std::move(*user);
    return out;
}

result<User> role_rule(Transaction& tx, std::int64_t user_id, std::string const& role, std::int64_t now) {
    auto found = tx.set_role(user_id, role, now);
    if (!found) return found.error();
    if (!*found) return make_error_code(Errc::not_found);
    if (auto logged = log_user_changed(tx, user_id, now); !logged) return logged.error();
    return load_user(tx, user_id);
}

result<AdminView> view_rule(Transaction& tx, std::int64_t user_id, std::int64_t now) {
    auto user = load_user(tx, user_id);
    if (!user) return user.error();
    auto live = tx.live_sessions(user_id, now);
    if (!live) return live.error();
    return AdminView{std::move(*user), static_cast<std::int64_t>(live->size())};
}

result<std::vector<std::int64_t>> ids_for(Transaction& tx, LookupKey key, std::string const& value) {
    auto one = [](result<std::optional<StoredCredentials>> c) -> result<std::vector<std::int64_t>> {
        if (!c) return c.error();
        if (!*c) return std::vector<std::int64_t>{};
        return std::vector<std::int64_t>{(*c)->user_id};
    };
    switch (key) {
        case LookupKey::username_key:
            return one(tx.credentials_by_username_key(value));
        case LookupKey::email_key:
            return one(tx.credentials_by_email_key(value));
        case LookupKey::phone:
            return tx.users_by_phone(value);
        case LookupKey::openid:
            return tx.users_by_openid(value);
    }
    return make_error_code(Errc::internal);
}

result<std::vector<AdminView>> find_rule(Transaction& tx, LookupKey key, std::string const& value, std::int64_t now) {
    auto ids = ids_for(tx, key, value);
    if (!ids) return ids.error();
    std::vector<AdminView> out;
    out.reserve(ids->size());
    for (std::int64_t id : *ids) {
        auto v = view_rule(tx, id, now);
        if (!v) {
            if (v.error() == Errc::not_found) continue;  // a deleted user's leftovers never match
            return v.error();
        }
        out.push_back(std::move(*v));
    }
    return out;
}

}  // namespace

Task<result<std::vector<RevokedSession>>> AccountLifecycle::delete_account(std::int64_t user_id, std::int64_t now) {
    auto body = [user_id, now](Transaction& tx) { return delete_rule(tx, user_id, now); };
    return write<std::vector<RevokedSession>>(backend_, body);
}

Task<result<AccountChange>> AccountLifecycle::set_disabled(std::int64_t user_id, bool disabled, std::int64_t now) {
    auto body = [user_id, disabled, now](Transaction& tx) { return disable_rule(tx, user_id, disabled, now); };
    return write<AccountChange>(backend_, body);
}

Task<result<User>> AccountLifecycle::set_role(std::int64_t user_id, std::string role, std::int64_t now) {
    auto body = [user_id, role = std::move(role), now](Transaction& tx) { return role_rule(tx, user_id, role, now); };
    return write<User>(backend_, std::move(body));
}

Task<result<AdminView>> AccountLifecycle::view(std::int64_t user_id, std::int64_t now) {
    auto body = [user_id, now](Transaction& tx) { return view_rule(tx, user_id, now); };
    return read<AdminView>(backend_, body);
}

Task<result<std::vector<AdminView>>> AccountLifecycle::find(LookupKey key, std::string value, std::int64_t now) {
    auto body = [key, value = std::move(value), now](Transaction& tx) { return find_rule(tx, key, value, now); };
    return read<std::vector<AdminView>>(backend_, std::move(body));
}

Task<result<std::vector<std::int64_t>>> AccountLifecycle::identity_owners(std::string app_id, std::string openid) {
    auto body = [identity = WeChatIdentity{std::move(app_id), std::move(openid), std::nullopt}](Transaction& tx) {
        return tx.identity_owners(identity);
    };
    return read<std::vector<std::int64_t>>(backend_, std::move(body));
}

}  // namespace wx::store
