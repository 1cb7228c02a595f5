#pragma once
// The seam between wxlogin and WeChat's server API: the real HTTPS client implements it, tests
// may replace it. Failures are error_codes in one of two categories:
//   errcode_category()   - WeChat answered with a non-zero errcode; value() is that errcode;
//   transport_category() - we got no usable answer (Errc: timeout, connection, 5xx, garbage).

#include <boost/system/error_category.hpp>
#include <optional>
#include <string>

#include "core/task.hpp"

namespace wx::wechat {

enum class Errc {
    timeout = 1,        // the call's deadline passed
    connection_failed,  // resolve/connect/TLS/read/write failed
    http_status,        // WeChat answered with a non-2xx HTTP status
    bad_response,       // body not JSON, not an object, or missing required fields
    response_too_large  // body over the reply size limit
};

[[nodiscard]] boost::system::error_category const& errcode_category() noexcept;
[[nodiscard]] boost::system::error_category const& transport_category() noexcept;
[[nodiscard]] inline error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), transport_category()}; }
[[nodiscard]] inline error_code errcode_error(int errcode) noexcept { return {errcode, errcode_category()}; }

// WeChat errcodes wxlogin reacts to.
namespace errcode {
inline constexpr int system_busy = -1;
inline constexpr int invalid_credential = 40001;  // access_token invalid or not the latest
inline constexpr int invalid_appid = 40013;
inline constexpr int invalid_access_token = 40014;
inline constexpr int invalid_code = 40029;
inline constexpr int invalid_appsecret = 40125;
inline constexpr int code_used = 40163;
inline constexpr int high_risk_user = 40226;
inline constexpr int missing_appid = 41002;
inline constexpr int missing_secret = 41004;
inline constexpr int access_token_expired = 42001;
inline constexpr int rate_limited = 45011;
}  // namespace errcode

struct AppCredentials {
    std::string app_id;
    std::string secret;  // never logged
};

// What jscode2session answers for a valid code.
struct Session {
    std::string openid;
    std::string session_key;  // base64 of 16 bytes; never logged or returned to a client
    std::optional<std::string> unionid;
};

// What getuserphonenumber answers for a valid phone code.
struct PhoneInfo {
    std::string phone_number;       // with country prefix when not 86, as WeChat gives it
    std::string pure_phone_number;  // without country code
    std::string country_code;
};

struct AccessToken {
    std::string token;  // never logged
    std::int64_t expires_in = 0;
};

// Thread safety: implementations must allow concurrent calls.
class WeChatApi {
public:
    virtual ~WeChatApi() = default;
    // sns/jscode2session. Retries errcode -1 exactly once; a 40163 on that retry is reported as
    // -1, since the first attempt may have consumed the code.
    virtual Task<result<Session>> code_to_session(AppCredentials const& app, std::string code) = 0;
    // cgi-bin/stable_token (normal mode unless force_refresh).
    virtual Task<result<AccessToken>> stable_token(AppCredentials const& app, bool force_refresh) = 0;
    // wxa/business/getuserphonenumber with the given access token. No retry here.
    virtual Task<result<PhoneInfo>> phone_number(std::string access_token, std::string phone_code) = 0;
};

}  // namespace wx::wechat

template <>
struct boost::system::is_error_code_enum<wx::wechat::Errc> : std::true_type {};
