#include "wechat/circuit_breaker.hpp"

#include <algorithm>
#include <string>

#include "obs/log.hpp"

namespace wx::wechat {
namespace {

class CircuitCategory final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "wechat.circuit"; }
    std::string message(int ev) const override {
        return "WeChat is failing: calls are refused for " + std::to_string(ev) + " s";
    }
};

}  // namespace

boost::system::error_category const& circuit_category() noexcept {
    static CircuitCategory const c;
    return c;
}

CircuitBreaker::CircuitBreaker(BreakerConfig config, Clock const& clock) : config_(config), clock_(clock) {
    config_.window_seconds = std::clamp<std::int64_t>(config_.window_seconds, 1, kMaxWindow);
    config_.open_seconds = std::max<std::int64_t>(config_.open_seconds, 1);
}

bool CircuitBreaker::is_failure(error_code const& ec) noexcept {
    if (!ec) return false;
    if (ec.category() == transport_category()) return true;
    if (ec.category() == errcode_category()) return ec.value() == errcode::system_busy;
    return false;
}

std::int64_t CircuitBreaker::admit() {
    std::lock_guard lock{mutex_};
    std::int64_t const now = clock_.now();
    switch (state_) {
        case State::closed:
            return 0;
        case State::open:
            if (now < open_until_) {
                ++refusals_;
                return open_until_ - now;
            }
            state_ = State::half_open;
            probe_out_ = false;
            [[fallthrough]];
        case State::half_open:
            // One probe at a time decides; one that never reported back (its caller went away)
            // is given up after open_seconds.
            if (probe_out_ && now < probe_sent_at_ + config_.open_seconds) {
                ++refusals_;
                return 1;
            }
            probe_out_ = true;
            probe_sent_at_ = now;
            return 0;
    }
    return 0;
}

void CircuitBreaker::record(bool failed) {
    std::lock_guard lock{mutex_};
    std::int64_t const now = clock_.now();
    if (state_ == State::half_open) {
        probe_out_ = false;
        if (failed) {
            trip(now);
        } else {
            state_ = State::closed;
            buckets_.fill(Bucket{});
            obs::log_info("wechat_breaker_closed");
        }
        return;
    }
    if (state_ == State::open) return;  // a call admitted before it opened
    Bucket& b = buckets_[static_cast<std::size_t>(now) % kMaxWindow];
    if (b.second != now) b = Bucket{now, 0, 0};
    ++b.calls;
    if (failed) ++b.failures;
    std::uint32_t calls = 0, failures = 0;
    for (auto const& bucket : buckets_)
        if (now - bucket.second < config_.window_seconds) {
            calls += bucket.calls;
            failures += bucket.failures;
        }
    if (calls >= config_.min_calls && failures * 100 >= calls * config_.failure_percent) trip(now);
}

void CircuitBreaker::trip(std::int64_t now) {
    state_ = State::open;
    open_until_ = now + config_.open_seconds;
    ++trips_;
    obs::log_warn("wechat_breaker_open", {{"seconds", config_.open_seconds}});
}

CircuitBreaker::State CircuitBreaker::state() const {
    std::lock_guard lock{mutex_};
    return state_;
}

std::uint64_t CircuitBreaker::refusals() const {
    std::lock_guard lock{mutex_};
    return refusals_;
}

std::uint64_t CircuitBreaker::trips() const {
    std::lock_guard lock{mutex_};
    return trips_;
}

template <class T, class Call>
Task<result<T>> BreakerWeChat::guarded(Call call) {
    if (std::int64_t wait = breaker_.admit(); wait > 0) co_return circuit_open_error(wait);
    result<T> r = co_await call();
    breaker_.record(!r && CircuitBreaker::is_failure(r.error()));
    co_return r;
}

Task<result<Session>> BreakerWeChat::code_to_session(AppCredentials const& app, std::string code) {
    auto call = [this, &app, &code] { return inner_.code_to_session(app, std::move(code)); };
    co_return co_await guarded<Session>(call);
}

Task<result<AccessToken>> BreakerWeChat::stable_token(AppCredentials const& app, bool force_refresh) {
    auto call = [this, &app, force_refresh] { return inner_.stable_token(app, force_refresh); };
    co_return co_await guarded<AccessToken>(call);
}

Task<result<PhoneInfo>> BreakerWeChat::phone_number(std::string access_token, std::string phone_code) {
    auto call = [this, &access_token, &phone_code] {
        return inner_.phone_number(std::move(access_token), std::move(phone_code));
    };
    co_return co_await guarded<PhoneInfo>(call);
}

}  // namespace wx::wechat
