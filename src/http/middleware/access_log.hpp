#pragma once

#include "http/pipeline.hpp"

namespace wx::obs {
class HttpMetrics;
}

namespace wx::http {

// Outermost middleware: one access-log line and one metrics sample per request (request id,
// method, route template, status, latency, client address, and for a failed request the error
// code and reason that answer_error() recorded). Never logs headers or bodies. 500 lines are
// errors, other 5xx warnings, the rest info.
// Thread safety: stateless apart from the thread-safe metrics.
class AccessLog final : public Middleware {
public:
    explicit AccessLog(obs::HttpMetrics& metrics) : metrics_(metrics) {}
    Task<Response> handle(Request& req, RequestContext& ctx, Next next) const override;

private:
    obs::HttpMetrics& metrics_;
};

// Turns an exception escaping a handler (a bug) into 500 internal, logged with the request id,
// inside the access-log span so that it is still counted.
class ErrorGuard final : public Middleware {
public:
    Task<Response> handle(Request& req, RequestContext& ctx, Next next) const override;
};

}  // namespace wx::http
