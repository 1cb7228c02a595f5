// Router: exact and templated matching, typed path parameters, 404/405 answers, middleware order,
// the route label, and the query through ParseQuery.
#include "http/router.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "http/middleware/parse_query.hpp"
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

// wx.request cannot send PATCH: a POST that asks to be one is routed as PATCH, and nothing else is.
TEST(Router, APostWithAPatchOverrideIsRoutedAsPatch) {
    Seen seen;
    Router router{{}, nullptr};
    router.add(verb::get, "/me", named("get", seen));
    router.add(verb::patch, "/me", named("patch", seen));
    router.add(verb::post, "/other", named("post", seen));
    auto with_override = [&](verb method, std::string target, std::string value) {
        Request req{method, target, 11};
        req.set("X-HTTP-Method-Override", value);
        RequestContext ctx;
        return run_sync(router.dispatch(req, ctx));
    };
    EXPECT_EQ(with_override(verb::post, "/me", "PATCH").body(), "patch");
    EXPECT_EQ(with_override(verb::post, "/me", "patch").body(), "patch");
    EXPECT_EQ(with_override(verb::post, "/other", "PATCH").result(), status::method_not_allowed);
    EXPECT_EQ(with_override(verb::post, "/me", "DELETE").result(), status::method_not_allowed) << "only PATCH";
    EXPECT_EQ(with_override(verb::post, "/other", "GET").body(), "post") << "an unknown override is ignored";
    EXPECT_EQ(with_override(verb::get, "/me", "PATCH").body(), "get") << "only a POST is overridden";
    EXPECT_EQ(dispatch(router, verb::post, "/me").result(), status::method_not_allowed);
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

// --- route templates -------------------------------------------------------------------------

// Answers "<name> <what it read>" so that tests see which route ran and what it was given.
Handler reads_id(std::string name) {
    return [name](Request& req, RequestContext& ctx) {
        return answer(req, name + " " + std::to_string(ctx.path_int("id")) + " " + std::string{ctx.route});
    };
}

Handler reads_text(std::string name, std::string param) {
    return [name, param](Request& req, RequestContext& ctx) {
        return answer(req, name + " " + std::string{ctx.path(param)});
    };
}

TEST(RouterTemplate, IntegerParameterReachesTheHandlerTyped) {
    Router router{{}, nullptr};
    router.add(verb::get, "/api/v1/admin/users/{id:int}", reads_id("user"));

    EXPECT_EQ(dispatch(router, verb::get, "/api/v1/admin/users/42").body(), "user 42 /api/v1/admin/users/{id:int}");
    EXPECT_EQ(dispatch(router, verb::get, "/api/v1/admin/users/1").body(), "user 1 /api/v1/admin/users/{id:int}");
    EXPECT_EQ(dispatch(router, verb::get, "/api/v1/admin/users/9223372036854775807").body(),
              "user 9223372036854775807 /api/v1/admin/users/{id:int}");
    EXPECT_EQ(dispatch(router, verb::get, "/api/v1/admin/users/42?x=1#f").body(),
              "user 42 /api/v1/admin/users/{id:int}");
}

TEST(RouterTemplate, AnIntegerThatDoesNotParseIs404) {
    Router router{{}, nullptr};
    router.add(verb::get, "/users/{id:int}", reads_id("user"));
    for (std::string target :
         {"/users/", "/users/abc", "/users/-1", "/users/+1", "/users/0", "/users/007", "/users/1.5", "/users/1e3",
          "/users/%31", "/users/ 1", "/users/9223372036854775808", "/users/18446744073709551616",
          "/users/99999999999999999999", "/users/42/", "/users/42/x", "/users", "/Users/42", "/users//42"}) {
        RequestContext ctx;
        Response res = dispatch(router, verb::get, target, &ctx);
        EXPECT_EQ(res.result(), status::not_found) << target;
        EXPECT_EQ(error_code_of(res), "not_found") << target;
        EXPECT_EQ(ctx.route, "<unmatched>") << target;
    }
}

TEST(RouterTemplate, StringParameterIsPercentDecodedAndPlusStaysPlus) {
    Router router{{}, nullptr};
    router.add(verb::delete_, "/users/me/sessions/{sid}", reads_text("session", "sid"));

    EXPECT_EQ(dispatch(router, verb::delete_, "/users/me/sessions/0123abcd").body(), "session 0123abcd");
    EXPECT_EQ(dispatch(router, verb::delete_, "/users/me/sessions/a%62c").body(), "session abc");
    EXPECT_EQ(dispatch(router, verb::delete_, "/users/me/sessions/a+b").body(), "session a+b");
    EXPECT_EQ(dispatch(router, verb::delete_, "/users/me/sessions/a%2Fb").body(), "session a/b");  // one segment
    EXPECT_EQ(dispatch(router, verb::delete_, "/users/me/sessions/%E5%BE%AE").body(), "session \xe5\xbe\xae");
}

TEST(RouterTemplate, AStringSegmentThatDoesNotDecodeOrIsEmptyIs404) {
    Router router{{}, nullptr};
    router.add(verb::delete_, "/sessions/{sid}", reads_text("session", "sid"));
    for (std::string target : {"/sessions/", "/sessions/%zz", "/sessions/a%2", "/sessions/%ff", "/sessions/%ED%A0%80",
                               "/sessions/a/b", "/sessions"})
        EXPECT_EQ(dispatch(router, verb::delete_, target).result(), status::not_found) << target;
}

TEST(RouterTemplate, SeveralParameters) {
    Router router{{}, nullptr};
    router.add(verb::delete_, "/admin/users/{id:int}/sessions/{sid}", [](Request& req, RequestContext& ctx) {
        return answer(req, std::to_string(ctx.path_int("id")) + "/" + std::string{ctx.path("sid")} + "/" +
                               std::string{ctx.path("id")});
    });
    EXPECT_EQ(dispatch(router, verb::delete_, "/admin/users/7/sessions/s1").body(), "7/s1/7");
    EXPECT_EQ(dispatch(router, verb::delete_, "/admin/users/x/sessions/s1").result(), status::not_found);
    EXPECT_EQ(dispatch(router, verb::delete_, "/admin/users/7/sessions/").result(), status::not_found);
}

TEST(RouterTemplate, ExactPathBeatsATemplate) {
    Router router{{}, nullptr};
    router.add(verb::get, "/users/{name}", reads_text("template", "name"));
    router.add(verb::get, "/users/me",
               [](Request& req, RequestContext& ctx) { return answer(req, "exact " + std::string{ctx.route}); });

    EXPECT_EQ(dispatch(router, verb::get, "/users/me").body(), "exact /users/me");
    EXPECT_EQ(dispatch(router, verb::get, "/users/you").body(), "template you");
    // The exact path is its own resource: a method only the template has is 405 there.
    router.add(verb::post, "/users/{name}", reads_text("post", "name"));
    Response res = dispatch(router, verb::post, "/users/me");
    EXPECT_EQ(res.result(), status::method_not_allowed);
    EXPECT_EQ(res[bhttp::field::allow], "GET");
}

TEST(RouterTemplate, LiteralBeatsIntegerBeatsStringWhateverTheRegistrationOrder) {
    Router router{{}, nullptr};
    router.add(verb::get, "/x/{name}", reads_text("name", "name"));
    router.add(verb::get, "/x/{id:int}", reads_id("id"));
    router.add(verb::get, "/a/{p}/c", reads_text("p", "p"));
    router.add(verb::get, "/a/b/{q}", reads_text("q", "q"));

    EXPECT_EQ(dispatch(router, verb::get, "/x/5").body(), "id 5 /x/{id:int}");
    EXPECT_EQ(dispatch(router, verb::get, "/x/05").body(), "name 05");  // not an integer: the next template
    EXPECT_EQ(dispatch(router, verb::get, "/x/abc").body(), "name abc");
    EXPECT_EQ(dispatch(router, verb::get, "/a/b/c").body(), "q c");  // the leftmost difference decides
    EXPECT_EQ(dispatch(router, verb::get, "/a/z/c").body(), "p z");
}

TEST(RouterTemplate, WrongMethodOnATemplateIs405WithAllowAndTheTemplateLabel) {
    obs::HttpMetrics metrics;
    Router router{{}, &metrics};
    router.add(verb::get, "/users/{id:int}", reads_id("get"));
    router.add(verb::delete_, "/users/{id:int}", reads_id("delete"));

    RequestContext ctx;
    Response res = dispatch(router, verb::put, "/users/5", &ctx);
    EXPECT_EQ(res.result(), status::method_not_allowed);
    EXPECT_EQ(res[bhttp::field::allow], "GET, DELETE");
    EXPECT_EQ(error_code_of(res), "method_not_allowed");
    EXPECT_EQ(ctx.route, "/users/{id:int}");
    EXPECT_EQ(ctx.route_metric, metrics.add_route("/users/{id:int}"));

    EXPECT_EQ(dispatch(router, verb::put, "/users/abc").result(), status::not_found);  // no resource: 404 first
    EXPECT_EQ(dispatch(router, verb::delete_, "/users/5").body(), "delete 5 /users/{id:int}");

    auto m = router.match(verb::patch, "/users/9");
    EXPECT_EQ(m.outcome, Router::Outcome::method_not_allowed);
    EXPECT_EQ(m.path, "/users/{id:int}");
    EXPECT_EQ(m.allow, "GET, DELETE");
}

TEST(RouterTemplate, TheMetricLabelIsTheTemplate) {
    obs::HttpMetrics metrics;
    Router router{{}, &metrics};
    router.add(verb::get, "/users/{id:int}", reads_id("get"));
    RequestContext ctx;
    dispatch(router, verb::get, "/users/5", &ctx);
    EXPECT_EQ(ctx.route, "/users/{id:int}");
    EXPECT_EQ(ctx.route_metric, metrics.add_route("/users/{id:int}"));
    dispatch(router, verb::get, "/users/6", &ctx);
    EXPECT_EQ(ctx.route_metric, metrics.add_route("/users/{id:int}"));  // one series for every id
}

TEST(RouterTemplate, PerRouteMiddlewareAlreadySeesTheParameters) {
    class NeedsId final : public Middleware {
    public:
        Task<Response> handle(Request& req, RequestContext& ctx, Next next) const override {
            if (ctx.path_int("id") == 13) co_return text_response(status::forbidden, "no", "text/plain", req);
            co_return co_await next(req, ctx);
        }
    } guard;
    Router router{{}, nullptr};
    router.add(verb::get, "/users/{id:int}", reads_id("user"), {&guard});
    EXPECT_EQ(dispatch(router, verb::get, "/users/13").result(), status::forbidden);
    EXPECT_EQ(dispatch(router, verb::get, "/users/12").result(), status::ok);
}

TEST(RouterTemplate, AskingForAParameterTheRouteLacksIsABug) {
    Router router{{}, nullptr};
    router.add(verb::get, "/s/{sid}", [](Request& req, RequestContext& ctx) {
        return answer(req, std::to_string(ctx.path_int("sid")));  // {sid} is a string parameter
    });
    router.add(verb::get, "/t/{id:int}", reads_text("t", "other"));
    router.add(verb::get, "/exact", reads_text("e", "id"));
    EXPECT_THROW(dispatch(router, verb::get, "/s/abc"), std::logic_error);
    EXPECT_THROW(dispatch(router, verb::get, "/t/1"), std::logic_error);
    EXPECT_THROW(dispatch(router, verb::get, "/exact"), std::logic_error);
}

TEST(RouterTemplate, MalformedOrAmbiguousTemplatesAreRefusedAtStartUp) {
    Seen seen;
    for (std::string bad : {"users/{id}", "/users/{", "/users/{id", "/users/id}", "/users/x{id}", "/users/{id}x",
                            "/users/{}", "/users/{id:uint}", "/users/{id:}", "/users/{Id}", "/users/{1d}",
                            "/users/{id}/{id:int}", "/users//{id}", "/users/{id}/"}) {
        Router router{{}, nullptr};
        EXPECT_THROW(router.add(verb::get, bad, named("x", seen)), std::invalid_argument) << bad;
    }
    Router router{{}, nullptr};
    router.add(verb::get, "/users/{id:int}/sessions/{sid}", named("a", seen));
    EXPECT_THROW(router.add(verb::get, "/users/{uid:int}/sessions/{s}", named("b", seen)), std::invalid_argument);
    router.add(verb::post, "/users/{id:int}/sessions/{sid}", named("c", seen));  // same template: same resource
    router.add(verb::get, "/users/{name}/sessions/{sid}", named("d", seen));     // another type: fine
}

// --- the query, through ParseQuery -----------------------------------------------------------

TEST(RouterQuery, ParseQueryDecodesOnceForTheHandler) {
    ParseQuery parse_query;
    Router router{{}, nullptr};
    router.add(verb::get, "/api/v1/admin/users",
               [](Request& req, RequestContext& ctx) {
                   auto const& q = ctx.query();
                   return answer(req,
                                 std::string{q.find("username").value_or("-")} + "|" + std::to_string(q.count("x")));
               },
               {&parse_query});

    EXPECT_EQ(dispatch(router, verb::get, "/api/v1/admin/users?username=alice").body(), "alice|0");
    EXPECT_EQ(dispatch(router, verb::get, "/api/v1/admin/users?username=a%20b+c&x&x=").body(), "a b c|2");
    EXPECT_EQ(dispatch(router, verb::get, "/api/v1/admin/users").body(), "-|0");
    EXPECT_EQ(dispatch(router, verb::get, "/api/v1/admin/users?username=#frag").body(), "|0");
}

TEST(RouterQuery, AnInvalidQueryIs400BeforeTheHandler) {
    ParseQuery parse_query;
    std::vector<std::string> trace;
    Seen seen{&trace};
    Router router{{}, nullptr};
    router.add(verb::get, "/find", named("find", seen), {&parse_query});
    for (std::string target : {"/find?username=%zz", "/find?username=%ff", "/find?a=%"}) {
        RequestContext ctx;
        Response res = dispatch(router, verb::get, target, &ctx);
        EXPECT_EQ(res.result(), status::bad_request) << target;
        EXPECT_EQ(error_code_of(res), "invalid_request") << target;
        EXPECT_EQ(ctx.failure.code, "invalid_request") << target;
    }
    EXPECT_TRUE(trace.empty());  // the handler never ran
}

TEST(RouterQuery, ARouteWithoutParseQueryCannotReadTheQuery) {
    Router router{{}, nullptr};
    router.add(verb::get, "/plain", [](Request& req, RequestContext& ctx) {
        return answer(req, std::string{ctx.query().find("a").value_or("")});
    });
    EXPECT_THROW(dispatch(router, verb::get, "/plain?a=1"), std::logic_error);
    // And without it an invalid query is no error: the route does not read one.
    Seen seen;
    router.add(verb::get, "/ignores", named("ignores", seen));
    EXPECT_EQ(dispatch(router, verb::get, "/ignores?a=%zz").result(), status::ok);
}

}  // namespace
}  // namespace wx::http
