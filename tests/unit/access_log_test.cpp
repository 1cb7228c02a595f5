// The access-log line: one per request, with the request id, and for a failed request the error
// code and the operator's reason that answer_error() recorded; its level follows the status.
#include "http/middleware/access_log.hpp"

#include <gtest/gtest.h>

#include "api/error_mapping.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "http/transport_errors.hpp"
#include "obs/metrics.hpp"
#include "store/errors.hpp"
#include "support/log_capture.hpp"
#include "support/run_sync.hpp"

namespace wx::http {
namespace {

using test::LogCapture;
using test::run_sync;

Task<Response> ok(Request& req, RequestContext&) { co_return text_response(status::ok, "fine", "text/plain", req); }

Task<Response> store_down(Request& req, RequestContext& ctx) {
    co_return api::fail(api::to_api_error(make_error_code(store::Errc::unavailable)), req, ctx);
}

Task<Response> store_bug(Request& req, RequestContext& ctx) {
    co_return api::fail(api::to_api_error(make_error_code(store::Errc::internal)), req, ctx);
}

Task<Response> bad_body(Request& req, RequestContext& ctx) {
    co_return answer_error(invalid_request_error("the JSON body must be an object"), req, ctx);
}

class AccessLogTest : public ::testing::Test {
protected:
    AccessLogTest() {
        router_.add(verb::get, "/ok", ok);
        router_.add(verb::get, "/store-down", store_down);
        router_.add(verb::get, "/store-bug", store_bug);
        router_.add(verb::post, "/bad-body", bad_body);
        router_.add(verb::get, "/probe", ok);
        router_.add(verb::get, "/probe-down", store_down);
    }

    // The one line logged for `target`.
    std::string line_for(verb method, std::string target, obs::LogLevel level = obs::LogLevel::debug) {
        LogCapture capture{level};
        Request req{method, target, 11};
        RequestContext ctx;
        ctx.request_id = "rid-42";
        ctx.client_address = "203.0.113.9";
        (void)run_sync(router_.dispatch(req, ctx));
        return capture.text();
    }

    obs::HttpMetrics metrics_;
    AccessLog access_log_{metrics_, {"/probe", "/probe-down"}};
    Router router_{{&access_log_}, &metrics_};
};

TEST_F(AccessLogTest, SuccessHasNoErrorFields) {
    std::string line = line_for(verb::get, "/ok");
    EXPECT_EQ(line.rfind("info request request_id=rid-42 method=GET route=/ok status=200 ", 0), 0u) << line;
    EXPECT_NE(line.find("client=203.0.113.9"), std::string::npos) << line;
    EXPECT_EQ(line.find("error="), std::string::npos) << line;
    EXPECT_EQ(line.find("reason="), std::string::npos) << line;
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;  // exactly one line
}

TEST_F(AccessLogTest, FailureCarriesCodeAndReasonWithTheRequestId) {
    std::string line = line_for(verb::get, "/store-down");
    EXPECT_EQ(line.rfind("warning request request_id=rid-42 ", 0), 0u) << line;
    EXPECT_NE(line.find(" status=503 "), std::string::npos) << line;
    EXPECT_NE(line.find(" error=unavailable "), std::string::npos) << line;
    EXPECT_NE(line.find("reason=\"store: database unavailable\""), std::string::npos) << line;
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;  // the mapping itself logged nothing
}

TEST_F(AccessLogTest, A500IsAnErrorLineAndStillLoggedAtWarnLevel) {
    std::string line = line_for(verb::get, "/store-bug", obs::LogLevel::warn);
    EXPECT_EQ(line.rfind("error request request_id=rid-42 ", 0), 0u) << line;
    EXPECT_NE(line.find(" error=internal "), std::string::npos) << line;
    EXPECT_NE(line.find("reason=\"store: database error\""), std::string::npos) << line;
}

TEST_F(AccessLogTest, InfoLinesAreDroppedAtWarnLevel) {
    EXPECT_EQ(line_for(verb::get, "/ok", obs::LogLevel::warn), "");
    EXPECT_EQ(line_for(verb::get, "/nope", obs::LogLevel::warn), "");
}

TEST_F(AccessLogTest, ASuccessfulProbeIsADebugLineAndAFailedOneKeepsItsLevel) {
    EXPECT_EQ(line_for(verb::get, "/probe", obs::LogLevel::info), "");
    EXPECT_EQ(line_for(verb::get, "/ok", obs::LogLevel::info).rfind("info request ", 0), 0u);
    auto debug = line_for(verb::get, "/probe");
    EXPECT_EQ(debug.rfind("debug request ", 0), 0u) << debug;
    EXPECT_NE(debug.find("route=/probe "), std::string::npos) << debug;
    auto down = line_for(verb::get, "/probe-down", obs::LogLevel::info);
    EXPECT_EQ(down.rfind("warning request ", 0), 0u) << down;
}

TEST_F(AccessLogTest, TransportAnswersCarryTheirCodeWithoutAReason) {
    std::string bad = line_for(verb::post, "/bad-body");
    EXPECT_NE(bad.find(" status=400 "), std::string::npos) << bad;
    EXPECT_NE(bad.find(" error=invalid_request"), std::string::npos) << bad;
    EXPECT_EQ(bad.find("reason="), std::string::npos) << bad;

    std::string missing = line_for(verb::get, "/nope");
    EXPECT_NE(missing.find(" route=<unmatched> status=404 "), std::string::npos) << missing;
    EXPECT_NE(missing.find(" error=not_found"), std::string::npos) << missing;

    std::string wrong_method = line_for(verb::delete_, "/ok");
    EXPECT_NE(wrong_method.find(" route=/ok status=405 "), std::string::npos) << wrong_method;
    EXPECT_NE(wrong_method.find(" error=method_not_allowed"), std::string::npos) << wrong_method;
}

TEST_F(AccessLogTest, RejectedRequestsCarryTheirCode) {
    LogCapture capture;
    Request req{verb::post, "/ok", 11};
    RequestContext ctx;
    ctx.request_id = "rid-413";
    (void)run_sync(router_.reject(req, ctx, payload_too_large_error(1024)));
    std::string line = capture.text();
    EXPECT_NE(line.find("request_id=rid-413 "), std::string::npos) << line;
    EXPECT_NE(line.find(" status=413 "), std::string::npos) << line;
    EXPECT_NE(line.find(" error=payload_too_large"), std::string::npos) << line;
}

}  // namespace
}  // namespace wx::http
