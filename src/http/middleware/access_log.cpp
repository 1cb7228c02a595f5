#include "http/middleware/access_log.hpp"

#include <exception>

#include "http/transport_errors.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"

namespace wx::http {

namespace {

// 500 is a bug or a misconfiguration: an error. Other 5xx are a dependency or the load: a warning.
obs::LogLevel level_of(unsigned code) {
    if (code == 500) return obs::LogLevel::error;
    if (code >= 500) return obs::LogLevel::warn;
    return obs::LogLevel::info;
}

}  // namespace

bool AccessLog::is_probe(std::string_view route) const {
    for (auto probe : probe_routes_)
        if (route == probe) return true;
    return false;
}

Task<Response> AccessLog::handle(Request& req, RequestContext& ctx, Next next) const {
    Response res = co_await next(req, ctx);
    auto elapsed = std::chrono::steady_clock::now() - ctx.started;
    double seconds = std::chrono::duration<double>(elapsed).count();
    std::string_view method = req.method_string();
    unsigned const code = res.result_int();
    metrics_.record(ctx.route_metric, method, code, seconds);
    obs::LogLevel const level = code < 400 && is_probe(ctx.route) ? obs::LogLevel::debug : level_of(code);
    if (!obs::log_enabled(level)) co_return res;
    obs::Field const fields[] = {{"request_id", ctx.request_id},
                                 {"method", method},
                                 {"route", ctx.route},
                                 {"status", code},
                                 {"latency_ms", seconds * 1000.0},
                                 {"client", ctx.client_address},
                                 {"error", ctx.failure.code},
                                 {"reason", ctx.failure.reason}};
    // A success has no error fields; a failure without a reason has no reason field.
    std::size_t const count = ctx.failure.code.empty() ? 6 : ctx.failure.reason.empty() ? 7 : 8;
    obs::log(level, "request", std::span<obs::Field const>{fields, count});
    co_return res;
}

Task<Response> ErrorGuard::handle(Request& req, RequestContext& ctx, Next next) const {
    std::string what;
    try {
        co_return co_await next(req, ctx);
    } catch (std::exception const& e) {
        what = e.what();
    }
    obs::log_error("handler_failed", {{"request_id", ctx.request_id}, {"route", ctx.route}, {"error", what}});
    co_return answer_error(internal_error(), req, ctx);
}

}  // namespace wx::http
