#include "api/user_wechat_api.hpp"

#include <sodium.h>

#include <boost/asio/error.hpp>

#include "api/error_mapping.hpp"
#include "api/wechat_apps.hpp"
#include "http/json_body.hpp"
#include "http/response.hpp"
#include "obs/log.hpp"
#include "store/errors.hpp"
#include "wechat/open_data.hpp"

namespace wx::api {

Task<http::Response> UserWeChatApi::bind(http::Request& req, http::RequestContext& ctx) {
    auto exchanged = co_await exchange_code(req, d_.wechat, d_.apps);
    if (!exchanged) co_return fail(exchanged.error(), req, ctx);
    auto const* app = exchanged->app;
    auto const& session = exchanged->session;

    store::BindWeChat binding;
    binding.user_id = ctx.principal->user_id;
    binding.identity = store::WeChatIdentity{app->app_id, session.openid, session.unionid};
    binding.session_key_sealed = d_.cipher.seal(session.session_key);
    binding.now = d_.clock.now();
    auto outcome = co_await d_.identities.bind(std::move(binding));
    if (!outcome) co_return fail(caller_error(outcome.error()), req, ctx);
    switch (outcome->verdict) {
        case store::BindVerdict::bound_to_another_user:
            co_return fail(ApiError{ErrorCode::wechat_already_bound}, req, ctx);
        case store::BindVerdict::bound:
            break;
    }
    auto entry = co_await d_.users.put(std::move(outcome->user));
    co_return http::text_response(http::status::ok, entry->json, "application/json", req);
}

Task<http::Response> UserWeChatApi::phone(http::Request& req, http::RequestContext& ctx) {
    auto body = http::parse_json_object(req);
    if (!body) co_return fail(body.error(), req, ctx);
    http::FieldReader fields{*body};
    auto code = read_optional_code(fields);
    auto encrypted = fields.optional_string("encrypted_data", {.min = 1, .max = wechat::kMaxEncryptedData});
    auto iv = fields.optional_string("iv", {.min = 1, .max = 64});
    auto const* app = read_app(fields, d_.apps);
    // Exactly one of the two forms.
    if (code && (encrypted || iv)) fields.fail("code", "conflicts_with_encrypted_data");
    if (!code && !encrypted && !iv && fields.ok()) fields.fail("code", "missing");
    if (!code && encrypted && !iv) fields.fail("iv", "missing");
    if (!code && iv && !encrypted) fields.fail("encrypted_data", "missing");
    if (!fields.ok()) co_return fail(fields.error(), req, ctx);

    std::int64_t user_id = ctx.principal->user_id;
    wechat::PhoneInfo phone;
    if (code) {
        auto fetched = co_await wechat::fetch_phone_number(d_.wechat, d_.access_tokens, *app, std::move(*code));
        if (!fetched) {
            // A waiter whose token fetch died with its fetcher: WeChat was not reached.
            bool abandoned = fetched.error() == boost::asio::error::operation_aborted;
            co_return fail(abandoned ? ApiError{ErrorCode::wechat_unavailable} : to_api_error(fetched.error()), req,
                           ctx);
        }
        phone = std::move(*fetched);
    } else {
        auto decrypted = co_await decrypt_phone(user_id, *app, std::move(*encrypted), std::move(*iv));
        if (!decrypted) co_return fail(decrypted.error(), req, ctx);
        phone = std::move(*decrypted);
    }
    auto updated = co_await d_.accounts.set_phone(user_id, std::move(phone.phone_number), d_.clock.now());
    if (!updated) co_return fail(caller_error(updated.error()), req, ctx);
    auto entry = co_await d_.users.put(std::move(*updated));
    co_return http::text_response(http::status::ok, entry->json, "application/json", req);
}

Task<result<wechat::PhoneInfo, ApiError>> UserWeChatApi::decrypt_phone(std::int64_t user_id,
                                                                       wechat::AppCredentials const& app,
                                                                       std::string encrypted_data,
                                                                       std::string iv) {
    auto sealed = co_await d_.identities.sealed_session_key(user_id, app.app_id);
    if (!sealed) co_return caller_error(sealed.error());
    if (!*sealed) co_return ApiError{ErrorCode::wechat_session_missing};
    auto session_key = d_.cipher.open(**sealed);
    if (!session_key) {
        // Sealed under another data key (WXLOGIN_DATA_KEY changed): as good as missing.
        obs::log_warn("session_key_unreadable", {{"user_id", user_id}});
        co_return ApiError{ErrorCode::wechat_session_missing};
    }
    auto phone = wechat::decrypt_phone_number(*session_key, encrypted_data, iv, app.app_id);
    sodium_memzero(session_key->data(), session_key->size());
    if (!phone) co_return ApiError{ErrorCode::wechat_decrypt_failed};
    co_return std::move(*phone);
}

}  // namespace wx::api
