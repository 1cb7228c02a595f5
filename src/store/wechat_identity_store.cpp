#include "store/wechat_identity_store.hpp"

#include <algorithm>

#include "store/change_log.hpp"
#include "store/user_store.hpp"

namespace wx::store {
namespace {

// The user a login lands in, creating it when the identity is new to us.
struct Resolved {
    std::int64_t user_id = 0;
    bool created = false;
};

// The person's lock first, before any read (see Transaction::lock_unionid).
result<void> lock_person(Transaction& tx, WeChatIdentity const& id) {
    if (!id.unionid) return {};
    return tx.lock_unionid(*id.unionid);
}

result<Resolved> resolve_login_user(Transaction& tx, WeChatLogin const& login) {
    auto const& id = login.identity;
    if (auto locked = lock_person(tx, id); !locked) return locked.error();
    auto owner = tx.lock_identity_owner(id.app_id, id.openid);
    if (!owner) return owner.error();
    if (*owner) {
        if (auto r = tx.refresh_identity(id, login.session_key_sealed, login.now); !r) return r.error();
        return Resolved{**owner, false};
    }
    Resolved out;
    if (id.unionid && login.match_unionid_across_apps) {
        // The same person already known through another app of the same WeChat open platform.
        auto same_person = tx.unionid_owner(*id.unionid);
        if (!same_person) return same_person.error();
        if (*same_person) out.user_id = **same_person;
    }
    if (out.user_id == 0) {
        NewUserRow row;  // a WeChat user has no name, email or password yet
        row.now = login.now;
        auto created = tx.insert_user(row);
        if (!created) return created.error();
        out = Resolved{*created, true};
    }
    auto inserted = tx.insert_identity(out.user_id, id, login.session_key_sealed, login.now);
    if (!inserted) return inserted.error();
    // A concurrent first login of this identity committed between our lookup and insert: rerun,
    // and the rerun finds its user (and the user created above is rolled back with us).
    if (!*inserted) return make_error_code(Errc::conflict);
    return out;
}

result<LoginOutcome> login_rule(Transaction& tx, WeChatLogin const& login) {
    auto resolved = resolve_login_user(tx, login);
    if (!resolved) return resolved.error();
    auto user = load_user(tx, resolved->user_id);
    if (!user) return user.error();
    user->wechat = login.identity;  // the identity this login proved
    // A disabled account gets no session (its fresh session_key is kept: WeChat issued it).
    if (user->disabled) return LoginOutcome{std::move(*user), false, true};
    if (auto s = tx.insert_session(resolved->user_id, login.session); !s) return s.error();
    return LoginOutcome{std::move(*user), resolved->created, false};
}

result<BindOutcome> bind_rule(Transaction& tx, BindWeChat const& b) {
    BindOutcome out;
    if (auto locked = lock_person(tx, b.identity); !locked) return locked.error();
    auto owners = tx.identity_owners(b.identity);
    if (!owners) return owners.error();
    bool const someone_else = std::any_of(owners->begin(), owners->end(), [&](auto id) { return id != b.user_id; });
    if (someone_else) {
        out.verdict = BindVerdict::bound_to_another_user;
        return out;
    }
    auto user = load_user(tx, b.user_id);  // also: the caller still exists
    if (!user) return user.error();
    auto owner = tx.lock_identity_owner(b.identity.app_id, b.identity.openid);
    if (!owner) return owner.error();
    if (*owner) {
        // Binding one's own identity again refreshes its session_key.
        if (auto r = tx.refresh_identity(b.identity, b.session_key_sealed, b.now); !r) return r.error();
    } else {
        auto inserted = tx.insert_identity(b.user_id, b.identity, b.session_key_sealed, b.now);
        if (!inserted) return inserted.error();
        if (!*inserted) return make_error_code(Errc::conflict);  // someone took it meanwhile: decide again
    }
    if (auto logged = log_user_changed(tx, b.user_id, b.now); !logged) return logged.error();
    auto bound = load_user(tx, b.user_id);
    if (!bound) return bound.error();
    out.user = std::move(*bound);
    return out;
}

}  // namespace

Task<result<LoginOutcome>> WeChatIdentityStore::login(WeChatLogin login) {
    auto body = [login = std::move(login)](Transaction& tx) { return login_rule(tx, login); };
    return write<LoginOutcome>(backend_, std::move(body));
}

Task<result<BindOutcome>> WeChatIdentityStore::bind(BindWeChat bind) {
    auto body = [bind = std::move(bind)](Transaction& tx) { return bind_rule(tx, bind); };
    return write<BindOutcome>(backend_, std::move(body));
}

Task<result<std::optional<Sealed>>> WeChatIdentityStore::sealed_session_key(std::int64_t user_id, std::string app_id) {
    auto body = [user_id, app_id = std::move(app_id)](Transaction& tx) {
        return tx.sealed_session_key(user_id, app_id);
    };
    return read<std::optional<Sealed>>(backend_, std::move(body));
}

}  // namespace wx::store
