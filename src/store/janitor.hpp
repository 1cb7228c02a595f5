#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "core/clock.hpp"
#include "core/task.hpp"
#include "store/backend.hpp"
#include "store/model.hpp"

namespace wx::store {

struct JanitorConfig {
    std::chrono::seconds every{300};      // WXLOGIN_JANITOR_INTERVAL
    std::int64_t batch = 500;             // WXLOGIN_JANITOR_BATCH: sessions per transaction
    std::int64_t max_batches = 20;        // per run: a backlog is worked off over several runs
    std::int64_t margin_seconds = 86400;  // WXLOGIN_JANITOR_MARGIN: kept this long past refresh expiry
    // A revoked session is the record of its revocation while its last access token can still be
    // presented: until it expires plus the verifier's leeway, and not a second longer.
    std::int64_t access_grace_seconds = 0;
};

// Deletes sessions (with their refresh tokens) that nothing can use any more, in small batches
// on a timer — each batch its own short transaction, so that logins never wait behind a long one.
// When several instances share a database, one at a time does it: a lease row ("janitor") names
// the instance that holds it until twice the interval has passed.
// Thread safety: run() and run_once() from one coroutine at a time; stop() and the counters from any thread.
class Janitor {
public:
    // `holder` names this instance in the lease (random per process).
    Janitor(Backend& backend, Clock const& clock, JanitorConfig config, std::string holder);

    // One run: the lease claimed (or renewed), then batches until one comes back short or
    // max_batches ran. Answers what it deleted; nothing when another instance holds the lease.
    Task<result<ExpiredRows>> run_once();
    // run_once() every `every` until stop(); failures are logged once per outage.
    Task<void> run();
    void stop() { stopping_.store(true); }

    [[nodiscard]] std::uint64_t sessions_deleted() const { return sessions_deleted_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::uint64_t refresh_tokens_deleted() const {
        return refresh_tokens_deleted_.load(std::memory_order_relaxed);
    }

private:
    Backend& backend_;
    Clock const& clock_;
    JanitorConfig config_;
    std::string holder_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::uint64_t> sessions_deleted_{0};
    std::atomic<std::uint64_t> refresh_tokens_deleted_{0};
};

}  // namespace wx::store
