#include "store/change_log.hpp"

#include <string>

namespace wx::store {

result<void> log_revocations(Transaction& tx, std::vector<RevokedSession> const& sessions, std::int64_t now) {
    for (auto const& s : sessions)
        if (auto logged = tx.append_change(ChangeKind::session_revoked, s.id, s.access_expires_at, now); !logged)
            return logged;
    return {};
}

result<void> log_user_changed(Transaction& tx, std::int64_t user_id, std::int64_t now) {
    return tx.append_change(ChangeKind::user_changed, std::to_string(user_id), 0, now);
}

Task<result<std::vector<Change>>> ChangeLog::after(std::int64_t seq, std::int64_t limit) {
    auto body = [seq, limit](Transaction& tx) { return tx.changes_after(seq, limit); };
    return read<std::vector<Change>>(backend_, body);
}

Task<result<std::int64_t>> ChangeLog::last_seq() {
    auto body = [](Transaction& tx) { return tx.last_change_seq(); };
    return read<std::int64_t>(backend_, body);
}

Task<result<std::int64_t>> ChangeLog::prune(std::int64_t created_before) {
    auto body = [created_before](Transaction& tx) { return tx.prune_changes(created_before); };
    return write<std::int64_t>(backend_, body);
}

}  // namespace wx::store
