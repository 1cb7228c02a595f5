// Router: exact matching, 404/405 answers, middleware order and the route label.
#include "http/router.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>
#include <vector>

#include "http/response.hpp"
#include "obs/metrics.hpp"
#include "support/run_sync.hpp"

namespace wx::http {
namespace {

using test::run_sync;

// Records its entry and exit so that tests can check the order of the chain.
class Recorder final : public Middleware {
public:
    Recorder(std::string name, std::vector<std::string>& trace) : name_(std::move(name)), trace_(trace) {}
    Task<Response> handle(Request& req, RequestContext& ctx, Next next) const override {
        trace_.push_back(name_ + ">");
        Response res = co_await next(req, ctx);
        trace_.push_back(name_ + "<");
        co_return res;
    }

private:
    std::string name_;
    std::vector<std::string>& trace_;
};

// Answers at once, without calling next().
class ShortCircuit final : public Middleware {
public:
    Task<Response> handle(Request& req, RequestContext&, Next) const override {
        co_return text_response(status::forbidden, "stopped", "text/plain", req);
    }
};

Task<Response> answer(Request& req, std::string body) { co_return text_response(status::ok, body, "text/plain", req); }

// A handler that names itself in the body and records what the router put into the context.
struct Seen {
    explicit Seen(std::vector<std::string>* t = nullptr) : trace(t) {}
    std::vector<std::string>* trace;
    std::string route;
    std::size_t metric = 0;
};

Handler named(std::string name, Seen& seen) {
    return [name, &seen](Request& req, RequestContext& ctx) {
        if (seen.trace) seen.trace->push_back("handler");
        seen.route = std::string{ctx.route};
        seen.metric = ctx.route_metric;
        return answer(req, name);
    };
}

Response dispatch(Router const& router, verb method, std::string target, RequestContext* ctx_out = nullptr) {
    Request req{method, target, 11};
    RequestContext ctx;
    ctx.request_id = "test-request-id";
    Response res = run_sync(router.dispatch(req, ctx));
    if (ctx_out) *ctx_out = ctx;
    return res;
}

std::string error_code_of(Response const& res) {
    auto v = boost::json::parse(res.body());
    return std::string{v.at("error").at("code").as_string()};
}

TEST(Router, ExactMatchCallsTheRoutesHandler) {
    Seen seen;
    Router router{{}, nullptr};
    router.add(verb::get, "/a", named("a", seen));
    router.add(verb::get, "/a/b", named("ab", seen));

    EXPECT_EQ(dispatch(router, verb::get, "/a").body(), "a");
    EXPECT_EQ(dispatch(router, verb::get, "/a/b").body(), "ab");
}

TEST(Router, MatchIsExactNotPrefixOrCaseInsensitive) {
    Seen seen;
    Router router{{}, nullptr};
    router.add(verb::get, "/healthz", named("h", seen));

    for (std::string target : {"/healthz/", "/healthzz", "/HEALTHZ", "/", "/healthz/x", "//healthz"}) {
        Response res = dispatch(router, verb::get, target);
        EXPECT_EQ(res.result(), status::not_found) << target;
    }
}

TEST(Router, QueryStringAndFragmentAreIgnored) {
    Seen seen;
    Router router{{}, nullptr};
    router.add(verb::get, "/a", named("a", seen));

    EXPECT_EQ(dispatch(router, verb::get, "/a?x=1&y=2").body(), "a");
    EXPECT_EQ(dispatch(router, verb::get, "/a?").body(), "a");
    EXPECT_EQ(dispatch(router, verb::get, "/a#frag").body(), "a");
    EXPECT_EQ(seen.route, "/a");
}

TEST(Router, UnknownPathAnswers404Envelope) {
    Router router{{}, nullptr};
    RequestContext ctx;
    Response res = dispatch(router, verb::get, "/nope", &ctx);

    EXPECT_EQ(res.result(), status::not_found);
    EXPECT_EQ(error_code_of(res), "not_found");
    auto v = boost::json::parse(res.body());
    EXPECT_EQ(v.at("request_id").as_string(), "test-request-id");
    EXPECT_EQ(ctx.route, "<unmatched>");
}

TEST(Router, WrongMethodAnswers405WithAllowInRegistrationOrder) {
    Seen seen;
    Router router{{}, nullptr};
    router.add(verb::post, "/thing", named("post", seen));
    router.add(verb::get, "/thing", named("get", seen));
    router.add(verb::delete_, "/thing", named("delete", seen));
    router.add(verb::patch, "/other", named("patch", seen));

    RequestContext ctx;
    Response res = dispatch(router, verb::put, "/thing?q=1", &ctx);
    EXPECT_EQ(res.result(), status::method_not_allowed);
    EXPECT_EQ(res[bhttp::field::allow], "POST, GET, DELETE");
    EXPECT_EQ(error_code_of(res), "method_not_allowed");
    EXPECT_EQ(ctx.route, "/thing");  // a known path: labelled with its template

    Response other = dispatch(router, verb::get, "/other");
    EXPECT_EQ(other.result(), status::method_not_allowed);
    EXPECT_EQ(other[bhttp::field::allow], "PATCH");
}

TEST(Router, EachMethodReachesItsOwnHandler) {
    Seen seen;
    Router router{{}, nullptr};
    router.add(verb::get, "/thing", named("get", seen));
    router.add(verb::post, "/thing", named("post", seen));

    EXPECT_EQ(dispatch(router, verb::get, "/thing").body(), "get");
    EXPECT_EQ(dispatch(router, verb::post, "/thing").body(), "post");
}

TEST(Router, GlobalThenPerRouteMiddlewareWrapTheHandler) {
    std::vector<std::string> trace;
    Recorder g1{"g1", trace}, g2{"g2", trace}, r1{"r1", trace}, r2{"r2", trace};
    Seen seen{&trace};
    Router router{{&g1, &g2}, nullptr};
    router.add(verb::get, "/x", named("x", seen), {&r1, &r2});

    Response res = dispatch(router, verb::get, "/x");
    EXPECT_EQ(res.body(), "x");
    EXPECT_EQ(trace, (std::vector<std::string>{"g1>", "g2>", "r1>", "r2>", "handler", "r2<", "r1<", "g2<", "g1<"}));
}

TEST(Router, PerRouteMiddlewareStaysOnItsRoute) {
    std::vector<std::string> trace;
    Recorder g{"g", trace}, r{"r", trace};
    Seen seen{&trace};
    Router router{{&g}, nullptr};
    router.add(verb::get, "/with", named("with", seen), {&r});
    router.add(verb::get, "/without", named("without", seen));

    dispatch(router, verb::get, "/without");
    EXPECT_EQ(trace, (std::vector<std::string>{"g>", "handler", "g<"}));
}

TEST(Router, NotFoundAndMethodNotAllowedPassOnlyTheGlobalMiddleware) {
    std::vector<std::string> trace;
    Recorder g{"g", trace}, r{"r", trace};
    Seen seen{&trace};
    Router router{{&g}, nullptr};
    router.add(verb::get, "/x", named("x", seen), {&r});

    dispatch(router, verb::get, "/missing");
    EXPECT_EQ(trace, (std::vector<std::string>{"g>", "g<"}));
    trace.clear();
    dispatch(router, verb::post, "/x");
    EXPECT_EQ(trace, (std::vector<std::string>{"g>", "g<"}));
}

TEST(Router, MiddlewareCanAnswerWithoutCallingNext) {
    std::vector<std::string> trace;
    Recorder g{"g", trace};
    ShortCircuit stop;
    Seen seen{&trace};
    Router router{{&g}, nullptr};
    router.add(verb::get, "/x", named("x", seen), {&stop});

    Response res = dispatch(router, verb::get, "/x");
    EXPECT_EQ(res.result(), status::forbidden);
    EXPECT_EQ(trace, (std::vector<std::string>{"g>", "g<"}));  // the handler never ran
}

TEST(Router, RouteTemplateAndMetricIndexGoIntoTheContext) {
    obs::HttpMetrics metrics;
    Seen seen;
    Router router{{}, &metrics};
    router.add(verb::get, "/a", named("a", seen));
    router.add(verb::post, "/b", named("b", seen));

    RequestContext ctx;
    dispatch(router, verb::post, "/b?x=y", &ctx);
    EXPECT_EQ(seen.route, "/b");
    EXPECT_EQ(ctx.route, "/b");
    EXPECT_EQ(seen.metric, metrics.add_route("/b"));  // add_route returns an existing index

    dispatch(router, verb::get, "/zzz", &ctx);
    EXPECT_EQ(ctx.route, "<unmatched>");
    EXPECT_EQ(ctx.route_metric, metrics.add_route("<unmatched>"));

    dispatch(router, verb::delete_, "/a", &ctx);
    EXPECT_EQ(ctx.route, "/a");
    EXPECT_EQ(ctx.route_metric, metrics.add_route("/a"));
}

TEST(Router, MatchReportsOutcomeWithoutRunningAnything) {
    Seen seen;
    Router router{{}, nullptr};
    router.add(verb::get, "/a", named("a", seen));
    router.add(verb::post, "/a", named("a2", seen));

    auto found = router.match(verb::post, "/a?z");
    EXPECT_EQ(found.outcome, Router::Outcome::found);
    ASSERT_NE(found.route, nullptr);
    EXPECT_EQ(found.route->path, "/a");

    auto not_allowed = router.match(verb::put, "/a");
    EXPECT_EQ(not_allowed.outcome, Router::Outcome::method_not_allowed);
    EXPECT_EQ(not_allowed.allow, "GET, POST");
    EXPECT_EQ(not_allowed.path, "/a");

    EXPECT_EQ(router.match(verb::get, "/b").outcome, Router::Outcome::not_found);
}

}  // namespace
}  // namespace wx::http
