#pragma once

#include <cstdint>
#include <vector>

#include "core/task.hpp"
#include "store/backend.hpp"
#include "store/model.hpp"

namespace wx::store {

// Written by the rules, inside the transaction of the change they report, so that the log can
// never miss a committed change nor report one that rolled back.
[[nodiscard]] result<void> log_revocations(Transaction& tx,
                                           std::vector<RevokedSession> const& sessions,
                                           std::int64_t now);
[[nodiscard]] result<void> log_user_changed(Transaction& tx, std::int64_t user_id, std::int64_t now);

// The change log as the instances read it: what to apply to their revocation list and user cache.
// Thread safety: all member functions may be called concurrently.
class ChangeLog {
public:
    explicit ChangeLog(Backend& backend) : backend_(backend) {}

    Task<result<std::vector<Change>>> after(std::int64_t seq, std::int64_t limit);
    Task<result<std::int64_t>> last_seq();
    // Forgets entries older than every access token they could concern.
    Task<result<std::int64_t>> prune(std::int64_t created_before);

private:
    Backend& backend_;
};

}  // namespace wx::store
