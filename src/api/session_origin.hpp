#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/types.hpp"

namespace wx::api {

// Where a login came from, kept with its session for the user's list of devices (API.md
// "Sessions"): the method, the request's User-Agent cleaned, the client address masked.
struct SessionOrigin {
    std::string method = "wechat";  // "wechat" or "password"
    std::optional<std::string> user_agent;
    std::optional<std::string> client_ip;
};

[[nodiscard]] SessionOrigin session_origin(http::Request const& req,
                                           http::RequestContext const& ctx,
                                           std::string method);

// A User-Agent as it may be stored and shown: control characters and bytes that are not UTF-8
// removed, cut to 256 characters (code points, never inside one); nullopt when nothing is left.
[[nodiscard]] std::optional<std::string> clean_user_agent(std::string_view raw);

}  // namespace wx::api
