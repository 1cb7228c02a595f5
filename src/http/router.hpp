#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "http/error_envelope.hpp"
#include "http/pipeline.hpp"

namespace wx::obs {
class HttpMetrics;
}

namespace wx::http {

// Exact method + path routing (the query string is ignored). Unknown paths answer 404 and known
// paths with another method 405 + Allow, both still passing the global middleware so that they
// are logged and counted.
// Thread safety: add() during start-up only; match()/dispatch() are const and concurrent.
class Router {
public:
    Router(std::vector<Middleware const*> global, obs::HttpMetrics* metrics);

    void add(verb method, std::string path, Handler handler, std::initializer_list<Middleware const*> per_route = {});

    enum class Outcome { found, not_found, method_not_allowed };
    struct Route {
        verb method;
        std::string path;
        Handler handler;
        std::vector<Middleware const*> chain;  // global, then per-route
        std::size_t metric = 0;
    };
    struct Match {
        Outcome outcome;
        Route const* route = nullptr;
        std::string_view allow;  // for method_not_allowed
        std::string_view path;   // the template, for 405
    };
    [[nodiscard]] Match match(verb method, std::string_view target) const;

    Task<Response> dispatch(Request& req, RequestContext& ctx) const;
    // Answers `error` for a request the server refused before routing (413, 431, malformed),
    // through the global middleware so that it is logged and counted like any other.
    Task<Response> reject(Request& req, RequestContext& ctx, ErrorEnvelope error) const;

private:
    struct Path {
        std::string path;
        std::vector<std::unique_ptr<Route>> routes;
        std::string allow;
        std::size_t metric = 0;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct Eq {
        using is_transparent = void;
        bool operator()(std::string_view a, std::string_view b) const noexcept { return a == b; }
    };

    std::vector<Middleware const*> global_;
    obs::HttpMetrics* metrics_;
    std::unordered_map<std::string, Path, Hash, Eq> paths_;
    std::size_t unmatched_metric_ = 0;
    Handler not_found_handler_;
};

}  // namespace wx::http
