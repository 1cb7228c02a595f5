#include "http/middleware/access_log.hpp"

#include <exception>

#include "http/api_error.hpp"
#include "obs/log.hpp"
#include "obs/metrics.hpp"

namespace wx::http {

Task<Response> AccessLog::handle(Request& req, RequestContext& ctx, Next next) const {
    Response res = co_await next(req, ctx);
    auto elapsed = std::chrono::steady_clock::now() - ctx.started;
    double seconds = std::chrono::duration<double>(elapsed).count();
    std::string_view method = req.method_string();
    metrics_.record(ctx.route_metric, method, res.result_int(), seconds);
    if (obs::log_enabled(obs::LogLevel::info)) {
        obs::log_info("request", {{"request_id", ctx.request_id},
                                  {"method", method},
                                  {"route", ctx.route},
                                  {"status", res.result_int()},
                                  {"latency_ms", seconds * 1000.0},
                                  {"client", ctx.client_address}});
    }
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
    co_return error_response(ApiError{ErrorCode::internal}, ctx.request_id, req.version(), req.keep_alive());
}

}  // namespace wx::http
