// /readyz decides between ok, degraded (200: a dependency is down, the instance still serves
// token checks) and down (503: draining).
#include "api/ops_api.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "support/run_sync.hpp"

namespace wx::api {
namespace {

struct Probed {
    unsigned status;
    std::string state, database, redis;
};

Probed readyz(bool draining, bool database_ok, std::string redis) {
    obs::MetricsRegistry registry;
    OpsApi::Probes probes;
    probes.draining = [draining] { return draining; };
    probes.database = [database_ok]() -> Task<bool> { co_return database_ok; };
    probes.redis = [redis]() -> Task<std::string> { co_return redis; };
    OpsApi ops{registry, std::move(probes)};
    http::Request req{http::verb::get, "/readyz", 11};
    http::RequestContext ctx;
    auto res = test::run_sync(ops.readyz(req, ctx));
    auto body = boost::json::parse(res.body()).as_object();
    auto const& checks = body.at("checks").as_object();
    return {res.result_int(), std::string{body.at("status").as_string()},
            std::string{checks.at("database").as_string()}, std::string{checks.at("redis").as_string()}};
}

TEST(Readyz, EverythingUpIsOk) {
    auto r = readyz(false, true, "disabled");
    EXPECT_EQ(r.status, 200u);
    EXPECT_EQ(r.state, "ok");
    EXPECT_EQ(r.database, "ok");
    EXPECT_EQ(r.redis, "disabled");
}

TEST(Readyz, ADependencyDownIsDegradedButStillReady) {
    auto db = readyz(false, false, "ok");
    EXPECT_EQ(db.status, 200u);
    EXPECT_EQ(db.state, "degraded");
    EXPECT_EQ(db.database, "down");
    auto redis = readyz(false, true, "down");
    EXPECT_EQ(redis.status, 200u);
    EXPECT_EQ(redis.state, "degraded");
    EXPECT_EQ(redis.redis, "down");
}

TEST(Readyz, DrainingIsDown) {
    auto r = readyz(true, true, "ok");
    EXPECT_EQ(r.status, 503u);
    EXPECT_EQ(r.state, "down");
}

}  // namespace
}  // namespace wx::api
