#pragma once
// The state of a fake WeChat server (jscode2session, cgi-bin/token, cgi-bin/stable_token,
// getuserphonenumber) as pure logic: requests in, WeChat-shaped JSON replies out. The HTTP face
// is sim/wechat_sim_api; tests may also drive this class directly. Development and test tooling:
// linked into `serve --dev`, `wxlogin wechat-sim` and the tests, never into the production libraries.

#include <boost/assert/source_location.hpp>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/task.hpp"
#include "wechat/open_data.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::sim {

// A misuse of the simulator's control surface (unknown app, duplicate code, bad fault).
struct SimulatorError {
    std::string message;
};

// Lets result<T, SimulatorError>::value() report a missing value (a bug) as an exception.
[[noreturn]] void throw_exception_from_error(SimulatorError const& e, boost::source_location const& loc);

// Fakes WeChat's server APIs with WeChat's semantics: single-use login codes that expire after
// 300 s, one current session_key per user, a stable access token per app renewed 5 minutes
// before it expires, and a failure-injection queue per API.
// Thread safety: every member function may be called concurrently (one mutex).
class Simulator {
public:
    // API names for counters and failure injection; "*" in a Fault matches any of them.
    static constexpr std::string_view kJscode2session = "jscode2session";
    static constexpr std::string_view kToken = "token";
    static constexpr std::string_view kStableToken = "stable_token";
    static constexpr std::string_view kPhoneNumber = "getuserphonenumber";
    static constexpr std::string_view kAnyApi = "*";

    // Used when no app is registered and a control call names none.
    static constexpr std::string_view kDefaultAppId = "wxsim0000000000001";
    static constexpr std::int64_t kCodeLifetime = 300;
    static constexpr std::int64_t kTokenLifetime = 7200;
    static constexpr std::int64_t kTokenRenewWindow = 300;
    static constexpr std::chrono::milliseconds kMaxDelay{60000};

    // What the HTTP face answers: a status, a body (JSON, or anything a Fault injected), and how
    // long to wait before answering.
    struct Reply {
        unsigned status = 200;
        std::string body;
        std::chrono::milliseconds delay{0};
    };

    // One scripted misbehaviour, consumed by the next `times` calls of `api`. With only a delay
    // the call is answered normally after it; an errcode, status or body replaces the answer
    // (and leaves the simulator's state untouched).
    struct Fault {
        std::string api{};  // an API name or "*"
        std::optional<int> errcode{};
        std::optional<unsigned> http_status{};
        std::optional<std::string> body{};  // raw, sent as is
        std::chrono::milliseconds delay{0};
        int times = 1;
    };

    struct LoginCode {
        std::string code;
        std::string app_id;
        std::string openid;
        std::string session_key;
        std::optional<std::string> unionid;
    };

    // Query parameters or JSON fields of a request, already decoded.
    using Params = std::map<std::string, std::string, std::less<>>;

    // With no apps every appid/secret pair is accepted; otherwise unknown appids answer 40013
    // and wrong secrets 40125.
    explicit Simulator(Clock const& clock, std::vector<wechat::AppCredentials> apps = {});
    Simulator(Simulator const&) = delete;
    Simulator& operator=(Simulator const&) = delete;

    // --- WeChat endpoints ---
    // GET sns/jscode2session?appid&secret&js_code&grant_type=authorization_code
    [[nodiscard]] Reply jscode2session(Params const& query);
    // GET cgi-bin/token?grant_type=client_credential&appid&secret: a new token on every call;
    // the previous one stays valid for 5 more minutes.
    [[nodiscard]] Reply token(Params const& query);
    // POST cgi-bin/stable_token with a JSON body.
    [[nodiscard]] Reply stable_token(std::string_view body);
    // POST wxa/business/getuserphonenumber?access_token with a JSON body {"code": ...}.
    [[nodiscard]] Reply phone_number(std::string_view access_token, std::string_view body);

    // --- control ---
    // app_id empty = the default app. openid empty = a new random user. code empty = random.
    [[nodiscard]] result<LoginCode, SimulatorError> mint_login_code(std::string app_id,
                                                                    std::string openid = {},
                                                                    std::optional<std::string> unionid = {},
                                                                    std::string code = {});
    // A phone code for `pure_phone` (digits without country code), valid once for 5 minutes.
    [[nodiscard]] result<std::string, SimulatorError> mint_phone_code(std::string app_id,
                                                                      std::string pure_phone,
                                                                      std::string country_code = "86");
    [[nodiscard]] result<void, SimulatorError> inject(Fault fault);
    // Every access token of the app (stable and plain) answers 42001 from now on, and the next
    // stable_token call issues a new one. Returns the number of tokens expired.
    result<std::size_t, SimulatorError> expire_access_token(std::string app_id);
    // Like expire_access_token, but the tokens answer 40001, as after a force_refresh elsewhere.
    // Returns the number of tokens revoked.
    result<std::size_t, SimulatorError> revoke_access_token(std::string app_id);
    // A legacy getPhoneNumber payload (encryptedData + iv) for a user who has a login code minted,
    // encrypted under the session_key of the user's latest code (the one jscode2session answers).
    // watermark_app_id empty = the app itself; another value lets tests exercise the check.
    [[nodiscard]] result<wechat::EncryptedData, SimulatorError> encrypt_phone_number(std::string app_id,
                                                                                     std::string const& openid,
                                                                                     std::string pure_phone,
                                                                                     std::string country_code = "86",
                                                                                     std::string watermark_app_id = {});
    // Forgets codes, users, tokens, faults and counters; keeps the registered apps.
    void reset();

    [[nodiscard]] std::string default_app_id() const;
    [[nodiscard]] std::uint64_t calls(std::string_view api) const;
    [[nodiscard]] std::map<std::string, std::uint64_t> call_counts() const;
    [[nodiscard]] std::size_t pending_faults() const;

private:
    struct CodeState {
        std::string app_id;
        std::string openid;
        std::int64_t expires_at = 0;
        bool used = false;
    };
    struct User {
        std::string session_key;
        std::optional<std::string> unionid;
    };
    struct PhoneCode {
        std::string app_id;
        std::string pure_phone;
        std::string country_code;
        std::int64_t expires_at = 0;
        bool used = false;
    };
    struct TokenState {
        std::string app_id;
        std::int64_t expires_at = 0;
        bool revoked = false;  // replaced by force_refresh
    };
    struct StableSlot {
        std::string token;
        std::int64_t expires_at = 0;
    };

    // Under the lock: counts the call, then answers with the fault that applies to it, if any,
    // else with normal() (delayed if the fault only delays).
    template <class Normal>
    Reply serve(std::string_view api, Normal const& normal);
    // Counts the call and pops the fault that applies to it, if any (caller holds mutex_).
    std::optional<Fault> begin_call(std::string_view api);
    // 0 when the credentials are acceptable, else the errcode to answer (caller holds mutex_).
    [[nodiscard]] int check_app(std::string_view app_id, std::string_view secret) const;
    [[nodiscard]] bool knows_app(std::string_view app_id) const;
    enum class TokenEnd { expire, revoke };
    // Ends every live access token of the app the given way; how many were live.
    result<std::size_t, SimulatorError> end_access_tokens(std::string app_id, TokenEnd how);
    [[nodiscard]] std::string resolve_app(std::string app_id) const;
    std::string issue_token(std::string const& app_id, std::int64_t now);
    // The answer a fault imposes, or nullopt when it only delays.
    [[nodiscard]] static std::optional<Reply> faulted_reply(Fault const& fault);

    Clock const& clock_;
    std::map<std::string, std::string, std::less<>> apps_;  // appid -> secret
    std::string default_app_;

    mutable std::mutex mutex_;
    std::map<std::string, CodeState, std::less<>> login_codes_;
    std::map<std::pair<std::string, std::string>, User> users_;  // (appid, openid)
    std::map<std::string, PhoneCode, std::less<>> phone_codes_;
    std::map<std::string, TokenState, std::less<>> tokens_;
    std::map<std::string, StableSlot, std::less<>> stable_;       // appid -> current stable token
    std::map<std::string, std::string, std::less<>> last_plain_;  // appid -> last cgi-bin/token
    std::map<std::string, std::deque<Fault>, std::less<>> faults_;
    std::map<std::string, std::uint64_t, std::less<>> calls_;
};

// The errmsg WeChat sends with an errcode, followed by a fresh ", rid: ..." (exposed for tests).
[[nodiscard]] std::string simulated_errmsg(int errcode);
// {"errcode":N,"errmsg":"..., rid: ..."}
[[nodiscard]] std::string simulated_error_body(int errcode);

}  // namespace wx::sim
