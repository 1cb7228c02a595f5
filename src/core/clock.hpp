#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace wx {

// Wall-clock seconds since the epoch, injectable so tests can move time without sleeping.
// Thread safety: now() may be called concurrently; TestClock::set/advance are atomic.
class Clock {
public:
    virtual ~Clock() = default;
    [[nodiscard]] virtual std::int64_t now() const = 0;
};

class SystemClock final : public Clock {
public:
    [[nodiscard]] std::int64_t now() const override {
        return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

class TestClock final : public Clock {
public:
    explicit TestClock(std::int64_t start) : now_(start) {}
    [[nodiscard]] std::int64_t now() const override { return now_.load(); }
    void set(std::int64_t t) { now_.store(t); }
    void advance(std::int64_t seconds) { now_.fetch_add(seconds); }

private:
    std::atomic<std::int64_t> now_;
};

}  // namespace wx
