#pragma once
// A bounded pool of connections to a database server, with HikariCP's knobs: a maximum size, a
// bounded wait for a free connection (then Errc::unavailable, which the API answers as 503, never
// a hang), an idle timeout, a maximum lifetime, and validation on borrow of a connection that has
// been idle for a while (a server restart or a network cut leaves dead connections behind). Not
// tied to MySQL: a connection type, how to open one and how to check one are the parameters.

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "obs/log.hpp"
#include "store/errors.hpp"
#include "store/pool_stats.hpp"

namespace wx::store {

struct PoolLimits {
    std::size_t max_size = 10;                            // connections open at once, in use or idle
    std::chrono::milliseconds connection_timeout{3000};   // the longest acquire() waits, opening included
    std::chrono::milliseconds idle_timeout{600000};       // an idle connection is closed after this
    std::chrono::milliseconds max_lifetime{1800000};      // any connection is closed after this (when idle)
    std::chrono::milliseconds validate_after_idle{1000};  // idle longer than this: checked before use
};

// The operations view of a pool (metrics hooks): plain numbers, read at any time.

// The monotonic clock the ages are measured with; tests pass their own to expire connections
// without sleeping. The bounded wait in acquire() always runs on the real steady clock.
using SteadyNow = std::function<std::chrono::steady_clock::time_point()>;

// Thread safety: acquire(), suspect_idle() and stats() may be called concurrently; a Lease
// belongs to one thread at a time.
template <class Conn>
class ConnectionPool {
    using TimePoint = std::chrono::steady_clock::time_point;
    struct Entry {
        std::unique_ptr<Conn> conn;
        TimePoint created;
        TimePoint last_used;
        bool suspect = false;
    };

public:
    // Opens a connection within `budget` (what is left of the caller's connection timeout).
    using Opener = std::function<result<std::unique_ptr<Conn>>(std::chrono::milliseconds budget)>;
    // True when the connection still works (e.g. a ping).
    using Validator = std::function<bool(Conn&)>;

    ConnectionPool(Opener open, Validator validate, PoolLimits limits, SteadyNow now = &std::chrono::steady_clock::now)
        : open_(std::move(open)), validate_(std::move(validate)), limits_(limits), now_(std::move(now)) {
        limits_.max_size = std::max<std::size_t>(limits_.max_size, 1);
        housekeeper_ = std::thread([this] { housekeep(); });
    }
    ConnectionPool(ConnectionPool const&) = delete;
    ConnectionPool& operator=(ConnectionPool const&) = delete;
    // Every Lease must have ended.
    ~ConnectionPool() {
        {
            std::lock_guard lock{mutex_};
            stopping_ = true;
        }
        housekeeper_cv_.notify_all();
        housekeeper_.join();
    }

    class Lease {
    public:
        Lease(Lease&& other) noexcept : pool_(other.pool_), entry_(std::move(other.entry_)) { other.pool_ = nullptr; }
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (pool_) pool_->give_back(std::move(entry_));
        }
        Conn& operator*() const { return *entry_.conn; }
        Conn* operator->() const { return entry_.conn.get(); }
        // The connection is broken: close it instead of putting it back (its slot is freed).
        void discard() { entry_.conn.reset(); }

    private:
        friend class ConnectionPool;
        Lease(ConnectionPool& pool, Entry entry) : pool_(&pool), entry_(std::move(entry)) {}
        ConnectionPool* pool_;
        Entry entry_;
    };

    // A connection: an idle one (checked first when it sat idle for a while or is suspect), else
    // a new one while the pool is below its maximum, else the first one given back within the
    // connection timeout. Errc::unavailable when the timeout passes or a new one cannot be opened.
    result<Lease> acquire() {
        auto const deadline = std::chrono::steady_clock::now() + limits_.connection_timeout;
        std::unique_lock lock{mutex_};
        for (;;) {
            std::vector<std::unique_ptr<Conn>> expired = take_expired(now_());
            if (!expired.empty()) {
                lock.unlock();
                expired.clear();  // closed outside the lock: a close may talk to the server
                lock.lock();
            }
            if (!idle_.empty()) {
                Entry e = std::move(idle_.back());  // the most recently used: the likeliest to work
                idle_.pop_back();
                ++taken_;
                bool const check = e.suspect || now_() - e.last_used >= limits_.validate_after_idle;
                lock.unlock();
                if (!check || validate_(*e.conn)) return Lease{*this, std::move(e)};
                e.conn.reset();
                lock.lock();
                --taken_;
                ++closed_;
                continue;  // its slot is free: take another idle one or open a new one
            }
            if (taken_ + idle_.size() < limits_.max_size) {
                ++taken_;
                lock.unlock();
                auto opened = open_(remaining(deadline));
                lock.lock();
                if (!opened) {
                    --taken_;
                    cv_.notify_one();
                    return opened.error();
                }
                ++opened_;
                auto const t = now_();
                return Lease{*this, Entry{std::move(*opened), t, t, false}};
            }
            ++waiting_;
            bool const freed = cv_.wait_until(
                lock, deadline, [this] { return !idle_.empty() || taken_ + idle_.size() < limits_.max_size; });
            --waiting_;
            if (!freed) {
                auto const in_use = taken_;
                auto const waiting = waiting_;
                lock.unlock();
                obs::log_warn("db_pool_timeout", {{"in_use", static_cast<std::int64_t>(in_use)},
                                                  {"waiting", static_cast<std::int64_t>(waiting)},
                                                  {"timeout_ms", limits_.connection_timeout.count()}});
                return make_error_code(Errc::unavailable);
            }
        }
    }

    // A connection was found broken (the server restarted, the network cut): the idle ones may be
    // too, so each is validated before its next use instead of failing a unit of work.
    void suspect_idle() {
        std::lock_guard lock{mutex_};
        for (auto& e : idle_) e.suspect = true;
    }

    [[nodiscard]] PoolStats stats() const {
        std::lock_guard lock{mutex_};
        return PoolStats{taken_, idle_.size(), waiting_, opened_, closed_};
    }

private:
    static std::chrono::milliseconds remaining(std::chrono::steady_clock::time_point deadline) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        return std::max(left, std::chrono::milliseconds{1});
    }

    [[nodiscard]] bool too_old(Entry const& e, TimePoint t) const { return t - e.created >= limits_.max_lifetime; }

    // Removes the idle connections past their idle timeout or lifetime; the caller closes them
    // (outside the lock). Needs mutex_.
    std::vector<std::unique_ptr<Conn>> take_expired(TimePoint t) {
        std::vector<std::unique_ptr<Conn>> out;
        auto expired = [&](Entry const& e) { return too_old(e, t) || t - e.last_used >= limits_.idle_timeout; };
        for (auto& e : idle_)
            if (expired(e)) out.push_back(std::move(e.conn));
        idle_.erase(std::remove_if(idle_.begin(), idle_.end(), [](Entry const& e) { return !e.conn; }), idle_.end());
        closed_ += out.size();
        return out;
    }

    void give_back(Entry e) {
        std::unique_ptr<Conn> to_close;
        {
            std::lock_guard lock{mutex_};
            --taken_;
            auto const t = now_();
            if (e.conn && !too_old(e, t)) {
                e.last_used = t;
                e.suspect = false;
                idle_.push_back(std::move(e));
            } else {
                if (e.conn) to_close = std::move(e.conn);
                ++closed_;
            }
        }
        cv_.notify_one();
    }

    // Closes idle connections past their idle timeout even while no caller comes by.
    void housekeep() {
        auto const period = std::clamp<std::chrono::milliseconds>(limits_.idle_timeout / 2, std::chrono::seconds{1},
                                                                  std::chrono::seconds{30});
        std::unique_lock lock{mutex_};
        while (!stopping_) {
            housekeeper_cv_.wait_for(lock, period, [this] { return stopping_; });
            std::vector<std::unique_ptr<Conn>> expired = take_expired(now_());
            lock.unlock();
            expired.clear();
            lock.lock();
        }
        idle_.clear();
    }

    Opener open_;
    Validator validate_;
    PoolLimits limits_;
    SteadyNow now_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;  // a connection was given back or a slot freed
    std::condition_variable housekeeper_cv_;
    std::vector<Entry> idle_;  // oldest use first
    std::size_t taken_ = 0;    // leased out, being validated or being opened
    std::size_t waiting_ = 0;
    std::size_t opened_ = 0;
    std::size_t closed_ = 0;
    bool stopping_ = false;
    std::thread housekeeper_;  // last: started once everything above exists
};

}  // namespace wx::store
