#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/error_envelope.hpp"
#include "http/path_params.hpp"
#include "http/pipeline.hpp"

namespace wx::obs {
class HttpMetrics;
}

namespace wx::http {

// Method + path routing; the query string and fragment are ignored (see ParseQuery).
//
// A path is either exact ("/api/v1/users/me") or a template whose whole segments may be typed
// parameters: "{name:int}" (a positive 64-bit integer in canonical form: ASCII digits, no sign,
// no leading zero, 1..2^63-1) or "{name}" (any non-empty segment, percent-decoded, valid UTF-8;
// '+' stays '+'). Literal segments match byte for byte, case-sensitively. The template string is
// the route's log and metrics label.
//
// A request path belongs to one resource: the exact path when one is registered (a hash lookup,
// the hot path), else the most specific template that matches — compared segment by segment
// from the left, a literal beats {name:int}, which beats {name}. A parameter that does not parse
// does not match, so a path no resource takes answers 404; a resource without the method answers
// 405 + Allow (methods in registration order). Both still pass the global middleware so that
// they are logged and counted.
//
// A POST carrying `X-HTTP-Method-Override: PATCH` is routed as PATCH: WeChat's wx.request cannot
// send PATCH (its methods are OPTIONS, GET, HEAD, POST, PUT, DELETE, TRACE, CONNECT), and
// `PATCH /api/v1/users/me` is the API. Only POST can be overridden and only into PATCH, so no
// request becomes one that a browser form could not already send with a custom header.
// Thread safety: add() during start-up only; match()/dispatch() are const and concurrent.
class Router {
public:
    Router(std::vector<Middleware const*> global, obs::HttpMetrics* metrics);
    ~Router();

    // Throws std::invalid_argument for a malformed template, or one that would match exactly the
    // same paths as another with different parameter names.
    void add(verb method, std::string path, Handler handler, std::initializer_list<Middleware const*> per_route = {});

    enum class Outcome { found, not_found, method_not_allowed };
    struct Route {
        verb method;
        std::string path;  // the exact path or the template
        Handler handler;
        std::vector<Middleware const*> chain;  // global, then per-route
        std::size_t metric = 0;
    };
    struct Match {
        Outcome outcome;
        Route const* route = nullptr;
        std::string_view allow;  // for method_not_allowed
        std::string_view path;   // the path or template, for 405
        std::size_t metric = 0;  // for 405
        PathParams params;       // a template's parameters (found and method_not_allowed)
    };
    [[nodiscard]] Match match(verb method, std::string_view target) const;

    Task<Response> dispatch(Request& req, RequestContext& ctx) const;
    // Answers `error` for a request the server refused before routing (413, 431, malformed),
    // through the global middleware so that it is logged and counted like any other.
    Task<Response> reject(Request& req, RequestContext& ctx, ErrorEnvelope error) const;

private:
    // One path or template and its routes, one per method.
    struct Resource {
        std::string path;
        std::vector<std::unique_ptr<Route>> routes;
        std::string allow;
        std::size_t metric = 0;
    };
    class Template;
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct Eq {
        using is_transparent = void;
        bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
    };

    Resource& resource_for(std::string const& path);
    Match resolve(Resource const& resource, verb method, PathParams params) const;

    std::vector<Middleware const*> global_;
    obs::HttpMetrics* metrics_;
    std::unordered_map<std::string, Resource, Hash, Eq> exact_;
    std::vector<std::unique_ptr<Template>> templates_;  // most specific first
    std::size_t unmatched_metric_ = 0;
    Handler not_found_handler_;
};

}  // namespace wx::http
