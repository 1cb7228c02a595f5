#pragma once

#include <array>
#include <cstddef>

#include "obs/metrics.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::wechat {

// The WeChatApi with every call counted by outcome and errcode and timed, for /metrics:
//   wxlogin_wechat_requests_total{api, outcome, errcode}
//   wxlogin_wechat_request_duration_seconds{api}
// api is jscode2session, stable_token or getuserphonenumber; outcome is ok, errcode (WeChat
// answered a non-zero errcode: the errcode label says which, from a fixed list or "other"), or the
// transport failure (timeout, connection_failed, http_status, bad_response, response_too_large).
// Every series exists from the start, so the label sets stay bounded and rates start at zero.
// It sits below the circuit breaker: a call the breaker refused never reached WeChat.
// Thread safety: as the wrapped WeChatApi.
class MeteredWeChat final : public WeChatApi {
public:
    explicit MeteredWeChat(WeChatApi& inner);

    Task<result<Session>> code_to_session(AppCredentials const& app, std::string code) override;
    Task<result<AccessToken>> stable_token(AppCredentials const& app, bool force_refresh) override;
    Task<result<PhoneInfo>> phone_number(std::string access_token, std::string phone_code) override;

    [[nodiscard]] obs::Collector const& requests() const { return requests_; }
    [[nodiscard]] obs::Collector const& durations() const { return durations_; }

    // The errcodes with a series of their own (wechat_api.hpp's list); any other is "other".
    static constexpr std::array<int, 12> kErrcodes = {-1,    40001, 40013, 40014, 40029, 40125,
                                                      40163, 40226, 41002, 41004, 42001, 45011};

private:
    enum Api : std::size_t { jscode2session, stable_token_api, getuserphonenumber, kApis };
    static constexpr std::size_t kTransportErrors = 5;  // Errc's values 1..5
    struct Series {
        obs::Counter* ok = nullptr;
        std::array<obs::Counter*, kErrcodes.size()> errcodes{};
        obs::Counter* other_errcode = nullptr;
        std::array<obs::Counter*, kTransportErrors> transport{};
        obs::Histogram* duration = nullptr;
    };

    template <class T, class Call>
    Task<result<T>> metered(Api api, Call call);
    [[nodiscard]] obs::Counter& counter_for(Api api, error_code const& ec) const;

    WeChatApi& inner_;
    obs::CounterFamily requests_;
    obs::HistogramFamily durations_;
    std::array<Series, kApis> series_{};
};

}  // namespace wx::wechat
