#pragma once

#include <array>
#include <cstdint>
#include <mutex>

#include "core/clock.hpp"
#include "core/task.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::wechat {

struct BreakerConfig {
    // The breaker opens when, within the last `window_seconds`, at least `min_calls` calls were
    // made and at least `failure_percent` of them failed. Generous on purpose: a handful of
    // failures (a deploy, one bad minute) must not stop logins; a WeChat outage should.
    std::int64_t window_seconds = 10;
    std::uint32_t min_calls = 20;
    std::uint32_t failure_percent = 50;
    // How long it stays open before one probe call may test WeChat again (half-open).
    std::int64_t open_seconds = 10;
};

// A per-instance circuit breaker for WeChat: counts calls and failures in one-second buckets over
// the window; when open, callers are refused at once (no call is made, so neither WeChat nor our
// connection pool is hammered while it is down); after open_seconds, one probe goes out — its
// success closes the breaker, its failure opens it again. A failure is WeChat not answering
// usefully (timeout, connection failure, 5xx, garbage, errcode -1); an errcode about the request
// (40029, 40163, 45011 ...) is WeChat working and never counts.
// Thread safety: all member functions may be called concurrently (one mutex).
class CircuitBreaker {
public:
    enum class State { closed, open, half_open };

    CircuitBreaker(BreakerConfig config, Clock const& clock);

    // 0 when a call may go out now (and, half-open, that call is the probe); otherwise the
    // seconds until one may.
    [[nodiscard]] std::int64_t admit();
    void record(bool failed);
    [[nodiscard]] State state() const;
    // Calls refused without calling WeChat, and times the breaker opened, since the start.
    [[nodiscard]] std::uint64_t refusals() const;
    [[nodiscard]] std::uint64_t trips() const;

    // Whether an outcome of a WeChat call counts as a failure of WeChat.
    [[nodiscard]] static bool is_failure(error_code const& ec) noexcept;

private:
    struct Bucket {
        std::int64_t second = 0;
        std::uint32_t calls = 0;
        std::uint32_t failures = 0;
    };
    static constexpr std::size_t kMaxWindow = 60;
    void trip(std::int64_t now);  // caller holds mutex_

    BreakerConfig config_;
    Clock const& clock_;
    mutable std::mutex mutex_;
    std::array<Bucket, kMaxWindow> buckets_{};
    State state_ = State::closed;
    std::int64_t open_until_ = 0;
    bool probe_out_ = false;
    std::int64_t probe_sent_at_ = 0;
    std::uint64_t refusals_ = 0;
    std::uint64_t trips_ = 0;
};

// The refusal of an open breaker: wechat.circuit category, value = seconds until a retry may
// succeed (the API answers 502 wechat_unavailable with that Retry-After).
[[nodiscard]] boost::system::error_category const& circuit_category() noexcept;
[[nodiscard]] inline error_code circuit_open_error(std::int64_t retry_after) noexcept {
    return {static_cast<int>(retry_after), circuit_category()};
}

// The WeChatApi behind a CircuitBreaker: every call is admitted (or refused) and its outcome
// recorded.
// Thread safety: as the wrapped WeChatApi.
class BreakerWeChat final : public WeChatApi {
public:
    BreakerWeChat(WeChatApi& inner, CircuitBreaker& breaker) : inner_(inner), breaker_(breaker) {}

    Task<result<Session>> code_to_session(AppCredentials const& app, std::string code) override;
    Task<result<AccessToken>> stable_token(AppCredentials const& app, bool force_refresh) override;
    Task<result<PhoneInfo>> phone_number(std::string access_token, std::string phone_code) override;

private:
    template <class T, class Call>
    Task<result<T>> guarded(Call call);

    WeChatApi& inner_;
    CircuitBreaker& breaker_;
};

}  // namespace wx::wechat
