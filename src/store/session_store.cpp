#include "store/session_store.hpp"

#include <algorithm>

#include "store/change_log.hpp"
#include "store/user_store.hpp"

namespace wx::store {
namespace {

result<User> start_rule(Transaction& tx, std::int64_t user_id, NewSession const& session) {
    auto user = load_user(tx, user_id);
    if (!user) return user.error();
    if (auto s = tx.insert_session(user_id, session); !s) return s.error();
    return user;
}

result<RefreshOutcome> refresh_rule(Transaction& tx, Rotation const& r) {
    RefreshOutcome out;
    auto found = tx.lock_refresh_token(r.presented_hash);
    if (!found) return found.error();
    if (!*found) return out;  // unknown
    RefreshTokenRecord const& token = **found;
    if (token.session_revoked || token.user_disabled) return out;  // as good as unknown
    out.session_id = token.session_id;
    out.expires_at = token.expires_at;
    out.access_expires_at = token.access_expires_at;
    if (token.expires_at <= r.now) {
        out.verdict = RefreshVerdict::expired;
        return out;
    }
    if (token.spent) {
        // A spent token came back: a thief or a confused client holds a copy. End the family.
        auto revoked = tx.revoke_session(token.user_id, token.session_id, r.now);
        if (!revoked) return revoked.error();
        if (auto logged = log_revocations(tx, *revoked, r.now); !logged) return logged.error();
        out.verdict = RefreshVerdict::reused;
        return out;
    }
    auto spent = tx.spend_refresh_token(r.presented_hash, r.now);
    if (!spent) return spent.error();
    // Another refresh spent it after our read (a backend without row locks): decide again, and the
    // rerun sees a spent token.
    if (!*spent) return make_error_code(Errc::conflict);
    std::int64_t const next = token.generation + 1;
    if (auto t = tx.insert_refresh_token(token.session_id, r.next_hash, next, r.now); !t) return t.error();
    if (auto s = tx.advance_session(token.session_id, next, r.now, r.access_expires_at); !s) return s.error();
    auto user = load_user(tx, token.user_id);
    if (!user) return user.error();
    out.user = std::move(*user);
    out.access_expires_at = std::max(out.access_expires_at, r.access_expires_at);
    out.verdict = RefreshVerdict::rotated;
    return out;
}

// Revocations go into the change log in the same transaction, for the other instances.
template <class Revoke>
result<std::vector<RevokedSession>> revoke_logged(Transaction& tx, std::int64_t now, Revoke revoke) {
    result<std::vector<RevokedSession>> revoked = revoke();
    if (!revoked) return revoked;
    if (auto logged = log_revocations(tx, *revoked, now); !logged) return logged.error();
    return revoked;
}

}  // namespace

Task<result<User>> SessionStore::start(std::int64_t user_id, NewSession session) {
    auto body = [user_id, session = std::move(session)](Transaction& tx) { return start_rule(tx, user_id, session); };
    return write<User>(backend_, std::move(body));
}

Task<result<RefreshOutcome>> SessionStore::refresh(Rotation rotation) {
    auto body = [rotation = std::move(rotation)](Transaction& tx) { return refresh_rule(tx, rotation); };
    return write<RefreshOutcome>(backend_, std::move(body));
}

Task<result<std::vector<RevokedSession>>> SessionStore::revoke(std::int64_t user_id,
                                                               std::string session_id,
                                                               std::int64_t now) {
    auto body = [user_id, session_id = std::move(session_id), now](Transaction& tx) {
        return revoke_logged(tx, now, [&] { return tx.revoke_session(user_id, session_id, now); });
    };
    return write<std::vector<RevokedSession>>(backend_, std::move(body));
}

Task<result<std::vector<RevokedSession>>> SessionStore::revoke_all(std::int64_t user_id, std::int64_t now) {
    auto body = [user_id, now](Transaction& tx) {
        return revoke_logged(tx, now, [&] { return tx.revoke_user_sessions(user_id, now, {}); });
    };
    return write<std::vector<RevokedSession>>(backend_, std::move(body));
}

Task<result<std::vector<SessionInfo>>> SessionStore::live(std::int64_t user_id, std::int64_t now) {
    auto body = [user_id, now](Transaction& tx) { return tx.live_sessions(user_id, now); };
    return read<std::vector<SessionInfo>>(backend_, std::move(body));
}

Task<result<std::vector<RevokedSession>>> SessionStore::revoked_since(std::int64_t now) {
    auto body = [now](Transaction& tx) { return tx.revoked_sessions(now); };
    return read<std::vector<RevokedSession>>(backend_, std::move(body));
}

}  // namespace wx::store
