#pragma once

#include <optional>
#include <span>
#include <string>

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

// A WeChat code as wx.login() or a button hands it out: printable ASCII without spaces.
[[nodiscard]] inline bool printable_ascii(std::string_view s) {
    for (unsigned char c : s)
        if (c < 0x21 || c > 0x7E) return false;
    return true;
}

}  // namespace wx::api
