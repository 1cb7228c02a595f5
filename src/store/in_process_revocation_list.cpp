#include "store/in_process_revocation_list.hpp"

#include <algorithm>

namespace wx::store {

void InProcessRevocationList::revoke(std::string_view session_id, std::int64_t until) {
    std::size_t h = Hash{}(session_id);
    auto& s = shard_of(h);
    std::lock_guard lock{s.mutex};
    if (auto it = s.until.find(session_id); it != s.until.end()) {
        it->second = std::max(it->second, until);
        return;
    }
    s.until.emplace(std::string{session_id}, until);
    count_.fetch_add(1, std::memory_order_release);
    if (s.until.size() >= s.purge_at) purge(s, clock_.now());
}

RevocationList::Status InProcessRevocationList::check(std::string_view session_id) const {
    if (count_.load(std::memory_order_acquire) != 0) {
        auto const& s = shard_of(Hash{}(session_id));
        std::lock_guard lock{s.mutex};
        if (s.until.find(session_id) != s.until.end()) return Status::revoked;
    }
    return vouched() ? Status::live : Status::unknown;
}

bool InProcessRevocationList::vouched() const {
    if (vouch_window_.count() == 0) return true;
    auto const caught = last_caught_up();
    return caught && std::chrono::steady_clock::now() - *caught <= vouch_window_;
}

std::optional<std::chrono::steady_clock::time_point> InProcessRevocationList::last_caught_up() const {
    std::int64_t const caught = caught_up_.load(std::memory_order_acquire);
    if (caught == std::numeric_limits<std::int64_t>::min()) return std::nullopt;
    return std::chrono::steady_clock::time_point{std::chrono::nanoseconds{caught}};
}

void InProcessRevocationList::database_caught_up(std::chrono::steady_clock::time_point poll_started) {
    std::int64_t const t =
        std::chrono::duration_cast<std::chrono::nanoseconds>(poll_started.time_since_epoch()).count();
    std::int64_t seen = caught_up_.load(std::memory_order_relaxed);
    while (seen < t && !caught_up_.compare_exchange_weak(seen, t, std::memory_order_acq_rel)) {
    }
}

Task<void> InProcessRevocationList::announce(std::vector<RevokedSession> sessions) {
    for (auto const& s : sessions) revoke(s.id, s.access_expires_at);
    co_return;
}

void InProcessRevocationList::restore(std::vector<RevokedSession> const& sessions) {
    for (auto const& s : sessions) revoke(s.id, s.access_expires_at);
}

void InProcessRevocationList::purge(Shard& s, std::int64_t now) {
    std::size_t erased = std::erase_if(s.until, [now](auto const& entry) { return entry.second <= now; });
    count_.fetch_sub(erased, std::memory_order_release);
    s.purge_at = std::max(kFirstPurge, 2 * s.until.size());
}

}  // namespace wx::store
