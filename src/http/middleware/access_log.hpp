#pragma once

#include <string_view>
#include <vector>

#include "http/pipeline.hpp"

namespace wx::obs {
class HttpMetrics;
}

namespace wx::http {

// Outermost middleware: one access-log line and one metrics sample per request (request id,
// method, route template, status, latency, client address, and for a failed request the error
// code and reason that answer_error() recorded). Never logs headers or bodies. 500 lines are
// errors, other 5xx warnings, the rest info — except the successes of `probe_routes` (health
// checks), which are debug: a load balancer asks every few seconds, and those lines would be most
// of the log and say nothing. A failed probe keeps its level, and metrics count every probe.
// Thread safety: stateless apart from the thread-safe metrics.
class AccessLog final : public Middleware {
public:
    explicit AccessLog(obs::HttpMetrics& metrics, std::vector<std::string_view> probe_routes = {})
        : metrics_(metrics), probe_routes_(std::move(probe_routes)) {}
    Task<Response> handle(Request& req, RequestContext& ctx, Next next) const override;

private:
    [[nodiscard]] bool is_probe(std::string_view route) const;

    obs::HttpMetrics& metrics_;
    std::vector<std::string_view> probe_routes_;  // route templates, as the router names them
};

// Turns an exception escaping a handler (a bug) into 500 internal, logged with the request id,
// inside the access-log span so that it is still counted.
class ErrorGuard final : public Middleware {
public:
    Task<Response> handle(Request& req, RequestContext& ctx, Next next) const override;
};

}  // namespace wx::http
