#include "api/password_check.hpp"

#include <sodium.h>

#include "api/error_mapping.hpp"
#include "auth/credential_rules.hpp"

namespace wx::api {

Task<std::optional<ApiError>> PasswordCheck::verify(std::int64_t user_id,
                                                    std::string stored_hash,
                                                    std::string password,
                                                    http::RequestContext const& ctx) {
    std::string const account = auth::account_key(user_id);
    auth::LoginKeys keys{account, ctx.client_address};
    if (auto wait = co_await d_.throttle.admit(keys)) {
        sodium_memzero(password.data(), password.size());
        d_.locked_logins.add();
        d_.audit.record({.event = AuditEvent::login_locked, .actor = user_id, .target = user_id}, ctx);
        ApiError e{ErrorCode::too_many_attempts};
        e.retry_after_seconds = static_cast<int>(wait->count());
        co_return e;
    }
    // Arguments are named before each co_await: g++ 12 mishandles temporaries inside one.
    bool const hopeless = auth::password_too_long(password);
    std::optional<std::string> stored = hopeless ? std::nullopt : std::optional<std::string>{std::move(stored_hash)};
    if (hopeless) sodium_memzero(password.data(), password.size());
    std::string attempt = hopeless ? std::string{} : std::move(password);
    auto verdict = co_await d_.hasher.verify(std::move(attempt), std::move(stored));
    if (!verdict) co_return to_api_error(verdict.error());
    if (!verdict->match) {
        d_.failed_logins.add();
        d_.audit.record({.event = AuditEvent::login_failed,
                         .actor = user_id,
                         .target = user_id,
                         .method = "password",
                         .reason = "wrong_password"},
                        ctx);
        ApiError e{ErrorCode::invalid_credentials};
        e.message = "the password is wrong";
        co_return e;  // no WWW-Authenticate: the token is fine
    }
    co_await d_.throttle.record_success(keys);
    co_return std::nullopt;
}

}  // namespace wx::api
