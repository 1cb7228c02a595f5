#include "api/wechat_apps.hpp"

#include "api/error_mapping.hpp"

namespace wx::api {

Task<result<CodeExchange, http::ErrorEnvelope>> exchange_code(http::Request const& req,
                                                              wechat::WeChatApi& wechat,
                                                              std::span<wechat::AppCredentials const> apps) {
    auto body = http::parse_json_object(req);
    if (!body) co_return body.error();
    http::FieldReader fields{*body};
    auto code = read_required_code(fields);
    auto const* app = read_app(fields, apps);
    if (!fields.ok()) co_return fields.error();
    auto session = co_await wechat.code_to_session(*app, std::move(*code));
    if (!session) co_return to_api_error(session.error()).envelope();
    co_return CodeExchange{std::move(*session), app};
}

}  // namespace wx::api
