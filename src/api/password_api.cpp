#include "api/password_api.hpp"

#include <sodium.h>

#include "api/error_mapping.hpp"
#include "auth/credential_rules.hpp"
#include "http/json_body.hpp"
#include "http/response.hpp"
#include "obs/log.hpp"

namespace wx::api {
namespace {

// Wipes a password copy when the handler leaves, whichever way it leaves.
struct Wiped {
    std::optional<std::string>& s;
    ~Wiped() {
        if (s) sodium_memzero(s->data(), s->size());
    }
};

// Generous outer bounds for the JSON fields; the precise rules (and their reasons) come from
// auth/credential_rules so that register and login can never disagree.
constexpr std::size_t kFieldMax = 1024;

}  // namespace

Task<http::Response> PasswordApi::register_account(http::Request& req, http::RequestContext& ctx) {
    if (auto wait = co_await d_.register_limit.admit(ctx.client_address)) co_return fail(rate_limited(*wait), req, ctx);
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto username = fields.required_string("username", {.min = 1, .max = kFieldMax});
    auto password = fields.required_string("password", {.min = 1, .max = kFieldMax});
    Wiped wipe{password};
    auto email = fields.optional_string("email", {.max = kFieldMax});
    if (email && email->empty()) email.reset();  // "" means no address, like null
    if (username)
        if (auto why = auth::username_problem(*username)) fields.fail("username", *why);
    if (password)
        if (auto why = auth::password_problem(*password)) fields.fail("password", *why);
    if (email)
        if (auto why = auth::email_problem(*email)) fields.fail("email", *why);
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);

    store::NewPasswordUser user;
    user.username = std::move(*username);
    user.username_key = auth::username_key(user.username);
    if (email) {
        user.email_key = auth::email_key(*email);
        user.email = std::move(*email);
    }
    // A taken name is answered before paying for a hash; the transaction below checks again.
    auto taken = co_await d_.accounts.credentials_by_username_key(user.username_key);
    if (!taken) co_return fail(to_api_error(taken.error()), req, ctx);
    if (*taken) co_return fail(ApiError{ErrorCode::username_taken}, req, ctx);

    auto hashed = co_await d_.hasher.hash(*password);
    if (!hashed) co_return fail(to_api_error(hashed.error()), req, ctx);
    user.password_hash = std::move(*hashed);
    SessionGrant grant = d_.issuer.new_session(session_origin(req, ctx, "password"));
    user.session = grant.row;
    user.now = d_.clock.now();
    auto outcome = co_await d_.accounts.register_user(std::move(user));
    if (!outcome) co_return fail(to_api_error(outcome.error()), req, ctx);
    switch (outcome->verdict) {
        case store::RegisterVerdict::username_taken:
            co_return fail(ApiError{ErrorCode::username_taken}, req, ctx);
        case store::RegisterVerdict::email_taken:
            co_return fail(ApiError{ErrorCode::email_taken}, req, ctx);
        case store::RegisterVerdict::created:
            break;
    }
    co_await d_.users.put(outcome->user);
    d_.audit.record({.event = AuditEvent::login_succeeded,
                     .actor = outcome->user.id,
                     .target = outcome->user.id,
                     .session = grant.row.id,
                     .method = "password",
                     .reason = "registered"},
                    ctx);
    auto pair = d_.issuer.token_pair(outcome->user, grant.row.id, grant.refresh_token, grant.row.expires_at,
                                     grant.row.access_expires_at, true);
    co_return http::json_response(http::status::created, pair, req);
}

Task<http::Response> PasswordApi::login(http::Request& req, http::RequestContext& ctx) {
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto identifier = fields.required_string("username", {.min = 1, .max = kFieldMax});
    auto password = fields.required_string("password", {.min = 1, .max = kFieldMax});
    Wiped wipe{password};
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);

    bool by_email = auth::is_email_identifier(*identifier);
    std::string typed_key = by_email ? auth::email_key(*identifier) : auth::username_key(*identifier);
    result<std::optional<store::StoredCredentials>> account = make_error_code(store::Errc::internal);
    if (by_email)
        account = co_await d_.accounts.credentials_by_email_key(typed_key);
    else
        account = co_await d_.accounts.credentials_by_username_key(typed_key);
    if (!account) co_return fail(to_api_error(account.error()), req, ctx);
    // The account key names the account itself when it exists, so its username and its email
    // share one count; an unknown identifier is counted as typed (the two prefixes cannot meet).
    std::string account_key = *account ? auth::account_key((*account)->user_id) : "name:" + typed_key;
    auth::LoginKeys keys{account_key, ctx.client_address};
    // Never a valid password, and free to send: counted against the address only, so junk
    // cannot flood the table with account keys.
    bool const junk = auth::password_too_long(*password);
    // Checked and charged before the password is looked at: a lockout never tells an attacker
    // whether a guess was right, and guesses sent in parallel are counted while in flight.
    auth::LoginKeys const charged = junk ? auth::LoginKeys{{}, ctx.client_address} : keys;
    std::optional<std::int64_t> const target =
        *account ? std::optional<std::int64_t>{(*account)->user_id} : std::nullopt;
    if (auto wait = co_await d_.throttle.admit(charged)) {
        d_.locked_logins.add();
        d_.audit.record({.event = AuditEvent::login_locked, .target = target, .method = "password"}, ctx);
        ApiError e{ErrorCode::too_many_attempts};
        e.retry_after_seconds = static_cast<int>(wait->count());
        co_return fail(e, req, ctx);
    }
    auto failed = [&](std::string_view reason) {
        d_.failed_logins.add();
        d_.audit.record({.event = AuditEvent::login_failed, .target = target, .method = "password", .reason = reason},
                        ctx);
        return fail(ApiError{ErrorCode::invalid_credentials}, req, ctx);
    };
    if (junk) co_return failed("password_too_long");

    // Unknown users and WeChat-only accounts verify against the dummy hash: one Argon2id run on
    // every path, one answer for every failure.
    std::optional<std::string> stored;
    if (*account) stored = (*account)->password_hash;
    auto verdict = co_await d_.hasher.verify(*password, std::move(stored));
    if (!verdict) co_return fail(to_api_error(verdict.error()), req, ctx);
    if (!verdict->match) co_return failed(*account ? "wrong_password" : "unknown_account");
    co_await d_.throttle.record_success(keys);
    // Only the right password learns that the account is disabled (API.md "Administration").
    if ((*account)->disabled) {
        d_.audit.record(
            {.event = AuditEvent::login_failed, .target = target, .method = "password", .reason = "account_disabled"},
            ctx);
        co_return fail(ApiError{ErrorCode::account_disabled}, req, ctx);
    }
    co_return co_await start_session((*account)->user_id, verdict->needs_rehash, password, req, ctx);
}

Task<http::Response> PasswordApi::change_password(http::Request& req, http::RequestContext& ctx) {
    auto const& caller = *ctx.principal;
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto current = fields.required_string("current_password", {.min = 1, .max = kFieldMax});
    auto fresh = fields.required_string("new_password", {.min = 1, .max = kFieldMax});
    Wiped wipe_current{current};
    Wiped wipe_fresh{fresh};
    if (fresh)
        if (auto why = auth::password_problem(*fresh)) fields.fail("new_password", *why);
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);

    auto account = co_await d_.accounts.credentials_by_id(caller.user_id);
    if (!account) co_return fail(to_api_error(account.error()), req, ctx);
    if (!*account) co_return fail(ApiError{ErrorCode::unauthorized}, req, ctx);  // deleted meanwhile
    if (!(*account)->password_hash) co_return fail(ApiError{ErrorCode::no_password}, req, ctx);
    // Counted as a login attempt, so that a stolen access token cannot guess faster than login.
    std::string stored_hash = *(*account)->password_hash;
    std::string attempt = std::move(*current);
    if (auto refused =
            co_await d_.password_check.verify(caller.user_id, std::move(stored_hash), std::move(attempt), ctx))
        co_return fail(*refused, req, ctx);
    auto hashed = co_await d_.hasher.hash(*fresh);
    if (!hashed) co_return fail(to_api_error(hashed.error()), req, ctx);
    std::string keep = caller.session_id;
    std::int64_t const now = d_.clock.now();
    auto revoked = co_await d_.accounts.change_password(caller.user_id, std::move(*hashed), std::move(keep), now);
    if (!revoked) co_return fail(to_api_error(revoked.error()), req, ctx);
    co_await d_.revocations.announce(std::move(*revoked));
    d_.audit.record({.event = AuditEvent::password_changed,
                     .actor = caller.user_id,
                     .target = caller.user_id,
                     .session = caller.session_id},
                    ctx);
    co_return http::empty_response(http::status::no_content, req);
}

Task<http::Response> PasswordApi::start_session(std::int64_t user_id,
                                                bool rehash,
                                                std::optional<std::string> password,
                                                http::Request& req,
                                                http::RequestContext& ctx) {
    Wiped wipe{password};
    if (rehash) {
        // Best effort: the login succeeds either way, and the next one tries again.
        auto fresh = co_await d_.hasher.hash(*password);
        if (fresh) (void)co_await d_.accounts.set_password_hash(user_id, std::move(*fresh), d_.clock.now());
    }
    SessionGrant grant = d_.issuer.new_session(session_origin(req, ctx, "password"));
    auto user = co_await d_.sessions.start(user_id, grant.row);
    if (!user) co_return fail(to_api_error(user.error()), req, ctx);
    co_await d_.users.put(*user);
    d_.audit.record({.event = AuditEvent::login_succeeded,
                     .actor = user_id,
                     .target = user_id,
                     .session = grant.row.id,
                     .method = "password"},
                    ctx);
    auto pair = d_.issuer.token_pair(*user, grant.row.id, grant.refresh_token, grant.row.expires_at,
                                     grant.row.access_expires_at, false);
    co_return http::json_response(http::status::ok, pair, req);
}

}  // namespace wx::api
