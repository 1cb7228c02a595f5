#include "http/router.hpp"

#include "http/transport_errors.hpp"
#include "obs/metrics.hpp"

namespace wx::http {
namespace {

constexpr std::string_view kUnmatched = "<unmatched>";

std::string_view path_of(std::string_view target) {
    auto q = target.find_first_of("?#");
    return q == std::string_view::npos ? target : target.substr(0, q);
}

Task<Response> answer(ErrorEnvelope error, Request const& req, RequestContext& ctx) {
    co_return answer_error(error, req, ctx);
}

}  // namespace

Router::Router(std::vector<Middleware const*> global, obs::HttpMetrics* metrics)
    : global_(std::move(global)), metrics_(metrics) {
    if (metrics_) unmatched_metric_ = metrics_->add_route(kUnmatched);
    not_found_handler_ = [](Request& req, RequestContext& ctx) { return answer(not_found_error(), req, ctx); };
}

void Router::add(verb method, std::string path, Handler handler, std::initializer_list<Middleware const*> per_route) {
    auto [it, inserted] = paths_.try_emplace(path);
    Path& p = it->second;
    if (inserted) {
        p.path = path;
        if (metrics_) p.metric = metrics_->add_route(path);
    }
    auto route = std::make_unique<Route>();
    route->method = method;
    route->path = p.path;
    route->handler = std::move(handler);
    route->chain = global_;
    route->chain.insert(route->chain.end(), per_route.begin(), per_route.end());
    route->metric = p.metric;
    if (!p.allow.empty()) p.allow += ", ";
    p.allow += bhttp::to_string(method);
    p.routes.push_back(std::move(route));
}

Router::Match Router::match(verb method, std::string_view target) const {
    auto it = paths_.find(path_of(target));
    if (it == paths_.end()) return {Outcome::not_found, nullptr, {}, {}};
    for (auto const& r : it->second.routes)
        if (r->method == method) return {Outcome::found, r.get(), {}, {}};
    return {Outcome::method_not_allowed, nullptr, it->second.allow, it->second.path};
}

Task<Response> Router::dispatch(Request& req, RequestContext& ctx) const {
    Match m = match(req.method(), req.target());
    switch (m.outcome) {
        case Outcome::found: {
            ctx.route = m.route->path;
            ctx.route_metric = m.route->metric;
            Next next{m.route->chain, m.route->handler};
            co_return co_await next(req, ctx);
        }
        case Outcome::method_not_allowed: {
            ctx.route = m.path;
            ctx.route_metric = paths_.find(m.path)->second.metric;
            Handler handler = [error = method_not_allowed_error(std::string{m.allow})](Request& r, RequestContext& c) {
                return answer(error, r, c);
            };
            Next next{global_, handler};
            co_return co_await next(req, ctx);
        }
        case Outcome::not_found: {
            ctx.route = kUnmatched;
            ctx.route_metric = unmatched_metric_;
            Next next{global_, not_found_handler_};
            co_return co_await next(req, ctx);
        }
    }
    co_return answer_error(internal_error(), req, ctx);
}

Task<Response> Router::reject(Request& req, RequestContext& ctx, ErrorEnvelope error) const {
    ctx.route = kUnmatched;
    ctx.route_metric = unmatched_metric_;
    Handler handler = [error = std::move(error)](Request& r, RequestContext& c) { return answer(error, r, c); };
    Next next{global_, handler};
    co_return co_await next(req, ctx);
}

}  // namespace wx::http
