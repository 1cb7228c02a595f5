#include "wechat/metered_wechat.hpp"

#include <algorithm>
#include <chrono>
#include <string>

namespace wx::wechat {
namespace {

constexpr std::array<char const*, 3> kApiNames = {"jscode2session", "stable_token", "getuserphonenumber"};
// Errc's names, by value - 1.
constexpr std::array<char const*, 5> kTransportNames = {"timeout", "connection_failed", "http_status", "bad_response",
                                                        "response_too_large"};

}  // namespace

MeteredWeChat::MeteredWeChat(WeChatApi& inner)
    : inner_(inner),
      requests_("wxlogin_wechat_requests_total",
                "Calls to WeChat's server API, by API, outcome and (for outcome errcode) WeChat's errcode.",
                {"api", "outcome", "errcode"}),
      durations_("wxlogin_wechat_request_duration_seconds",
                 "Time of a call to WeChat's server API, retries included.",
                 {"api"}) {
    for (std::size_t a = 0; a < kApis; ++a) {
        std::string const api = kApiNames[a];
        Series& s = series_[a];
        s.ok = &requests_.with({api, "ok", ""});
        for (std::size_t i = 0; i < kErrcodes.size(); ++i)
            s.errcodes[i] = &requests_.with({api, "errcode", std::to_string(kErrcodes[i])});
        s.other_errcode = &requests_.with({api, "errcode", "other"});
        for (std::size_t i = 0; i < kTransportErrors; ++i)
            s.transport[i] = &requests_.with({api, kTransportNames[i], ""});
        s.duration = &durations_.with({api});
    }
}

obs::Counter& MeteredWeChat::counter_for(Api api, error_code const& ec) const {
    Series const& s = series_[api];
    if (!ec) return *s.ok;
    if (ec.category() == errcode_category()) {
        auto const* it = std::find(kErrcodes.begin(), kErrcodes.end(), ec.value());
        return it == kErrcodes.end() ? *s.other_errcode : *s.errcodes[static_cast<std::size_t>(it - kErrcodes.begin())];
    }
    int const transport = ec.category() == transport_category() ? ec.value() : 0;
    // Anything else (an aborted call) is counted as a failed connection: it did not answer.
    return transport >= 1 && transport <= static_cast<int>(kTransportErrors)
               ? *s.transport[static_cast<std::size_t>(transport - 1)]
               : *s.transport[static_cast<std::size_t>(Errc::connection_failed) - 1];
}

template <class T, class Call>
Task<result<T>> MeteredWeChat::metered(Api api, Call call) {
    auto const started = std::chrono::steady_clock::now();
    result<T> r = co_await call();
    series_[api].duration->observe(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    counter_for(api, r ? error_code{} : r.error()).add();
    co_return r;
}

Task<result<Session>> MeteredWeChat::code_to_session(AppCredentials const& app, std::string code) {
    auto call = [this, &app, &code] { return inner_.code_to_session(app, std::move(code)); };
    co_return co_await metered<Session>(jscode2session, call);
}

Task<result<AccessToken>> MeteredWeChat::stable_token(AppCredentials const& app, bool force_refresh) {
    auto call = [this, &app, force_refresh] { return inner_.stable_token(app, force_refresh); };
    co_return co_await metered<AccessToken>(stable_token_api, call);
}

Task<result<PhoneInfo>> MeteredWeChat::phone_number(std::string access_token, std::string phone_code) {
    auto call = [this, &access_token, &phone_code] {
        return inner_.phone_number(std::move(access_token), std::move(phone_code));
    };
    co_return co_await metered<PhoneInfo>(getuserphonenumber, call);
}

}  // namespace wx::wechat
