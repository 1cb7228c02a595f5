#pragma once
// The request fields every WeChat-facing endpoint shares: a one-time WeChat code and the
// optional app_id naming one of the configured mini-programs.

#include <optional>
#include <span>
#include <string>

#include "core/task.hpp"
#include "http/json_body.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {

// The configured app a request names (the default, apps.front(), when it names none), or null
// for an app id that is not configured.
[[nodiscard]] inline wechat::AppCredentials const* find_app(std::span<wechat::AppCredentials const> apps,
                                                            std::optional<std::string> const& app_id) {
    if (!app_id) return &apps.front();
    for (auto const& a : apps)
        if (a.app_id == *app_id) return &a;
    return nullptr;
}

// The optional `app_id` field as a configured app; records unknown_app and answers null otherwise.
[[nodiscard]] inline wechat::AppCredentials const* read_app(http::FieldReader& fields,
                                                            std::span<wechat::AppCredentials const> apps) {
    auto const* app = find_app(apps, fields.optional_string("app_id", {.min = 1, .max = 64}));
    if (!app) fields.fail("app_id", "unknown_app");
    return app;
}

// A `code` field as wx.login() or a button hands it out: 1-128 printable ASCII characters.
// Absent or null: nullopt, with a "missing" detail from read_required_code only.
[[nodiscard]] inline std::optional<std::string> checked_code(http::FieldReader& fields,
                                                             std::optional<std::string> code) {
    if (!code) return code;
    for (unsigned char c : *code)
        if (c < 0x21 || c > 0x7E) {
            fields.fail("code", "invalid_characters");
            return std::nullopt;
        }
    return code;
}
[[nodiscard]] inline std::optional<std::string> read_required_code(http::FieldReader& fields) {
    return checked_code(fields, fields.required_string("code", {.min = 1, .max = 128}));
}
[[nodiscard]] inline std::optional<std::string> read_optional_code(http::FieldReader& fields) {
    return checked_code(fields, fields.optional_string("code", {.min = 1, .max = 128}));
}

// A WeChat identity proven by a one-time code, and the app it belongs to.
struct CodeExchange {
    wechat::Session session;
    wechat::AppCredentials const* app = nullptr;
};

// Reads `{"code", "app_id"?}` from the request and exchanges the code with WeChat
// (jscode2session). WeChat is called only for valid input: the code is single-use.
// The error is the answer to give: 400 with details, or the WeChat failure.
Task<result<CodeExchange, http::ErrorEnvelope>> exchange_code(http::Request const& req,
                                                              wechat::WeChatApi& wechat,
                                                              std::span<wechat::AppCredentials const> apps);

}  // namespace wx::api
