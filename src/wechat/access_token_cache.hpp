#pragma once
// The app's WeChat access token, for the server APIs that need one (getuserphonenumber): cached per
// app id, fetched from cgi-bin/stable_token by one caller at a time, and replaced once when WeChat
// rejects it. Login never needs it.

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/clock.hpp"
#include "core/task.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::wechat {

// True for the errcodes that condemn the access token itself rather than the request: 40001
// (invalid or not the latest), 40014 (invalid) and 42001 (expired).
[[nodiscard]] bool is_access_token_error(error_code const& ec) noexcept;

// Where access tokens come from: AccessTokenCache in-process, later a store shared by all
// instances (Redis) behind the same two calls.
// Thread safety: implementations must allow concurrent calls from coroutines on any executor.
class AccessTokenSource {
public:
    virtual ~AccessTokenSource() = default;
    // A token believed valid for app.app_id, fetched when none is cached. Never logged.
    virtual Task<result<std::string>> get(AppCredentials const& app) = 0;
    // Compare-and-clear: forgets the app's token only while it is still `failed_token`, so that a
    // token someone else has fetched meanwhile survives a late report about its predecessor.
    virtual void invalidate(std::string_view app_id, std::string_view failed_token) = 0;
};

// The in-process AccessTokenSource. One entry per app id. A cached token is used until less than
// a tenth of the lifetime it was fetched with remains, capped at 5 minutes before expiry; with
// stable_token's 7200 s tokens that is the moment WeChat renews them, and a token handed out late
// in its life (stable_token answers the remaining seconds) is still used for 90 % of what is left.
// Single flight: while one caller fetches an app's token, the others wait for that fetch (or, while
// the old token has not expired yet, keep using it); a failed fetch wakes every waiter with its
// error, and the next caller tries again.
// Thread safety: all member functions may be called concurrently, from coroutines on any
// executors; waiters resume on their own executor.
class AccessTokenCache final : public AccessTokenSource {
public:
    static constexpr std::int64_t kMaxRefreshMargin = 300;  // seconds
    static constexpr std::int64_t kRefreshFraction = 10;    // margin = lifetime / 10, at most the above
    static constexpr std::int64_t kMaxLifetime = 86400;     // longer expires_in values are capped

    AccessTokenCache(WeChatApi& api, Clock const& clock) : api_(api), clock_(clock) {}
    AccessTokenCache(AccessTokenCache const&) = delete;
    AccessTokenCache& operator=(AccessTokenCache const&) = delete;
    ~AccessTokenCache() override;

    Task<result<std::string>> get(AppCredentials const& app) override;
    void invalidate(std::string_view app_id, std::string_view failed_token) override;

    // Callers now waiting for another caller's fetch of the app's token (for tests).
    [[nodiscard]] std::size_t waiting(std::string_view app_id) const;

    // Seconds before expiry at which a token fetched with `expires_in` is refreshed.
    [[nodiscard]] static std::int64_t refresh_margin(std::int64_t expires_in) noexcept;

private:
    struct Waiter;  // a one-slot channel on the waiting caller's executor
    class Flight;   // the fetching caller's duty to publish its outcome, even if it dies first
    struct Entry {
        std::string token;  // empty: none
        std::int64_t expires_at = 0;
        std::int64_t refresh_at = 0;
        bool fetching = false;
        std::vector<std::shared_ptr<Waiter>> waiters;
    };

    // Stores a fetch's outcome, wakes the app's waiters and answers the fetching caller: the new
    // token, or on failure the old one while it has not expired, else the error.
    result<std::string> land(std::string const& app_id, result<AccessToken> fetched);

    WeChatApi& api_;
    Clock const& clock_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry, std::less<>> entries_;
};

// Runs `op(token)` (a callable returning Task<result<T>>) with the app's access token; when WeChat
// rejects the token (is_access_token_error), invalidates exactly that token and runs `op` once more
// with a fresh one. The second answer is final. Pass a named callable (g++ 12, see STYLE.md).
template <class Op>
std::invoke_result_t<Op&, std::string const&> with_access_token(AccessTokenSource& tokens,
                                                                AppCredentials const& app,
                                                                Op op) {
    auto token = co_await tokens.get(app);
    if (!token) co_return token.error();
    auto first = co_await op(*token);
    if (first || !is_access_token_error(first.error())) co_return first;
    tokens.invalidate(app.app_id, *token);
    auto fresh = co_await tokens.get(app);
    if (!fresh) co_return fresh.error();
    co_return co_await op(*fresh);
}

// getuserphonenumber for a phone code from the getPhoneNumber button, with the app's access token
// and one retry on a rejected token (WeChat refuses the token before it consumes the code).
Task<result<PhoneInfo>> fetch_phone_number(WeChatApi& api,
                                           AccessTokenSource& tokens,
                                           AppCredentials const& app,
                                           std::string phone_code);

}  // namespace wx::wechat
