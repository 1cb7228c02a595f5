#include "app/console_assets.hpp"

#include <boost/beast/http/field.hpp>

#include "http/error_envelope.hpp"
#include "http/transport_errors.hpp"

namespace wx::app {
namespace {

// No inline script or style anywhere, nothing from another origin, never framed.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; img-src 'self' data:";

void set_console_headers(http::Response& res) {
    res.set("Content-Security-Policy", kContentSecurityPolicy);
    res.set("X-Content-Type-Options", "nosniff");
    res.set("Referrer-Policy", "no-referrer");
    res.set("X-Frame-Options", "DENY");
}

}  // namespace

ConsoleAsset const* find_console_asset(std::string_view name) {
    for (auto const& a : console_assets())
        if (a.name == name) return &a;
    return nullptr;
}

Task<http::Response> serve_console(http::Request& req, http::RequestContext& ctx) {
    std::string_view name = ctx.path_params.size() == 0 ? std::string_view{"index.html"} : ctx.path("file");
    ConsoleAsset const* asset = find_console_asset(name);
    if (!asset) {
        http::Response missing = http::answer_error(http::not_found_error(), req, ctx);
        set_console_headers(missing);
        co_return missing;
    }
    http::Response res{http::status::ok, req.version()};
    res.set(http::bhttp::field::content_type, asset->content_type);
    res.set(http::bhttp::field::cache_control, asset->immutable ? "public, max-age=31536000, immutable" : "no-store");
    set_console_headers(res);
    res.keep_alive(req.keep_alive());
    res.body().assign(asset->body.data(), asset->body.size());
    res.prepare_payload();
    co_return res;
}

Task<http::Response> redirect_to_console(http::Request& req, http::RequestContext&) {
    http::Response res{http::status::permanent_redirect, req.version()};
    res.set(http::bhttp::field::location, "/console/");
    res.set(http::bhttp::field::cache_control, "no-store");
    set_console_headers(res);
    res.keep_alive(req.keep_alive());
    res.prepare_payload();
    co_return res;
}

}  // namespace wx::app
