#pragma once
// The console (/console/): the files of console/ embedded at build time (embed_console.cmake
// writes console_assets_data.cpp into the build tree), and the handler that serves them.

#include <span>
#include <string_view>

#include "http/types.hpp"

namespace wx::app {

// One embedded file. `name` is what the page asks for: "index.html", or a content-hashed name
// such as "app.3f2a1c9d.js" that changes whenever the bytes do, so it may be cached for good.
struct ConsoleAsset {
    std::string_view name;
    std::string_view content_type;
    std::string_view body;
    bool immutable = false;  // a hashed name: cached for a year; index.html never is
};

// Every embedded file (defined in the generated console_assets_data.cpp).
[[nodiscard]] std::span<ConsoleAsset const> console_assets();

// The file called `name`, or null.
[[nodiscard]] ConsoleAsset const* find_console_asset(std::string_view name);

// GET /console/ (the page) and GET /console/{file} (its assets). Every answer, a 404 included,
// carries the console's Content-Security-Policy, nosniff and no-referrer. The page is
// `no-store`, hashed assets `public, max-age=31536000, immutable`: the one exception to "every
// response carries Cache-Control: no-store" (they hold no token and no personal data).
Task<http::Response> serve_console(http::Request& req, http::RequestContext& ctx);

// GET /console: 308 to /console/, so that the page's relative asset names resolve.
Task<http::Response> redirect_to_console(http::Request& req, http::RequestContext& ctx);

}  // namespace wx::app
