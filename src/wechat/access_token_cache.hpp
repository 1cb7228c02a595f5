#pragma once

#include <atomic>
// The app's WeChat access token, for the server APIs that need one (getuserphonenumber): cached per
// app id, fetched from cgi-bin/stable_token by one caller at a time, and replaced once when WeChat
// rejects it. Login never needs it.

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/clock.hpp"
#include "core/task.hpp"
#include "store/access_token_store.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::wechat {

// True for the errcodes that condemn the access token itself rather than the request: 40001
// (invalid or not the latest), 40014 (invalid) and 42001 (expired).
[[nodiscard]] bool is_access_token_error(error_code const& ec) noexcept;

// Where access tokens come from, for the calls that need one.
// Thread safety: implementations must allow concurrent calls from coroutines on any executor.
class AccessTokenSource {
public:
    virtual ~AccessTokenSource() = default;
    // A token believed valid for app.app_id, fetched when none is stored. Never logged.
    virtual Task<result<std::string>> get(AppCredentials const& app) = 0;
    // WeChat rejected `failed_token`: forget it unless a newer one has replaced it meanwhile.
    virtual Task<void> invalidate(std::string app_id, std::string failed_token) = 0;
};

struct AccessTokenCacheOptions {
    // How long a fetch claimed by another instance may take before this one fetches itself (the
    // claim's hold), and how often its result is looked for meanwhile.
    std::int64_t claim_hold_seconds = 15;
    std::chrono::milliseconds claim_poll{50};
};

// The AccessTokenSource over a store::AccessTokenStore (in this process, or shared by every
// instance). A stored token is used until less than a tenth of the lifetime it was fetched with
// remains, capped at 5 minutes before expiry; with stable_token's 7200 s tokens that is the moment
// WeChat renews them, and a token handed out late in its life (stable_token answers the remaining
// seconds) is still used for 90 % of what is left.
// Single flight: within this instance, while one caller fetches an app's token the others wait for
// that fetch (or, while the old token has not expired yet, keep using it); across instances, the
// store's fetch claim makes the others wait for the claimant's token to appear in the store. A
// failed fetch wakes every waiter with its error, and the next caller tries again.
// Thread safety: all member functions may be called concurrently, from coroutines on any
// executors; waiters resume on their own executor.
class AccessTokenCache final : public AccessTokenSource {
public:
    static constexpr std::int64_t kMaxRefreshMargin = 300;  // seconds
    static constexpr std::int64_t kRefreshFraction = 10;    // margin = lifetime / 10, at most the above
    static constexpr std::int64_t kMaxLifetime = 86400;     // longer expires_in values are capped

    AccessTokenCache(WeChatApi& api,
                     store::AccessTokenStore& store,
                     Clock const& clock,
                     AccessTokenCacheOptions options);
    AccessTokenCache(AccessTokenCache const&) = delete;
    AccessTokenCache& operator=(AccessTokenCache const&) = delete;
    ~AccessTokenCache() override;

    Task<result<std::string>> get(AppCredentials const& app) override;
    Task<void> invalidate(std::string app_id, std::string failed_token) override;

    // Callers now waiting for another caller's fetch of the app's token (for tests).
    [[nodiscard]] std::size_t waiting(std::string_view app_id) const;

    // Since the start (for /metrics): tokens fetched from WeChat, fetches that failed, and fetches
    // saved by using a token another instance had just stored.
    struct FetchCounts {
        std::uint64_t fetched = 0;
        std::uint64_t failed = 0;
        std::uint64_t shared = 0;
    };
    [[nodiscard]] FetchCounts fetch_counts() const;

    // Seconds before expiry at which a token fetched with `expires_in` is refreshed.
    [[nodiscard]] static std::int64_t refresh_margin(std::int64_t expires_in) noexcept;

private:
    struct Waiter;  // a one-slot channel on the waiting caller's executor
    class Flight;   // the fetching caller's duty to publish its outcome, even if it dies first
    struct Entry {
        bool fetching = false;
        std::uint64_t landings = 0;  // fetches finished so far
        std::vector<std::shared_ptr<Waiter>> waiters;
    };
    using Stored = std::optional<store::StoredAccessToken>;

    // Fetches from WeChat (or takes what the instance holding the claim stored) and saves it.
    Task<result<AccessToken>> fetch(AppCredentials const& app, Stored const& previous);
    // Looks for the token another instance's claimed fetch stores; nullopt if none in time.
    Task<Stored> await_other_fetch(std::string const& app_id);
    // Ends the app's flight: wakes its waiters and answers the fetching caller: the new token, or
    // on failure the previous one while it has not expired, else the error.
    result<std::string> land(std::string const& app_id, result<AccessToken> const& fetched, Stored const& previous);

    WeChatApi& api_;
    store::AccessTokenStore& store_;
    Clock const& clock_;
    AccessTokenCacheOptions options_;
    mutable std::mutex mutex_;
    std::map<std::string, Entry, std::less<>> entries_;
    std::atomic<std::uint64_t> fetched_{0};
    std::atomic<std::uint64_t> failed_{0};
    std::atomic<std::uint64_t> shared_{0};
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
    co_await tokens.invalidate(app.app_id, *token);
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
