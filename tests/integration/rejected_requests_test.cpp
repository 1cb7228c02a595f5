// Requests the server refuses before routing (413, 431, malformed) still pass the global
// middleware: they are answered with the envelope, logged and counted in /metrics.
#include <gtest/gtest.h>

#include "support/http_client.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

std::string metric_line(HttpClient& c, std::string_view series) {
    auto r = c.get("/metrics");
    auto at = r.body.find(series);
    if (at == std::string::npos) return {};
    return r.body.substr(at, r.body.find('\n', at) - at);
}

TEST(RejectedRequests, OversizedBodyIsAnsweredAndCounted) {
    init_test_process();
    TestApp app;
    HttpClient c = app.client();
    std::string request =
        "POST /api/v1/auth/wechat/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "X-Request-Id: oversized-1\r\nContent-Length: 70000\r\n\r\n";
    auto raw = c.raw(request);
    auto res = raw.response();
    ASSERT_TRUE(res) << raw.bytes;
    EXPECT_EQ(res->status, 413u);
    EXPECT_EQ(res->error_code(), "payload_too_large");
    EXPECT_EQ(res->header("X-Request-Id"), "oversized-1");
    EXPECT_EQ(res->envelope_request_id(), "oversized-1");
    EXPECT_EQ(res->header("Connection"), "close");
    EXPECT_EQ(metric_line(c, "wxlogin_http_requests_total{route=\"<unmatched>\",method=\"POST\",status=\"4xx\"}"),
              "wxlogin_http_requests_total{route=\"<unmatched>\",method=\"POST\",status=\"4xx\"} 1");
}

TEST(RejectedRequests, MalformedRequestIsAnsweredAndCounted) {
    init_test_process();
    TestApp app;
    HttpClient c = app.client();
    auto raw = c.raw("GET /healthz HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n");
    auto res = raw.response();
    ASSERT_TRUE(res) << raw.bytes;
    EXPECT_EQ(res->status, 400u);
    EXPECT_EQ(res->error_code(), "invalid_request");
    EXPECT_FALSE(res->header("X-Request-Id").empty());
    // Exactly this one request, under the unmatched label (the request line was read: GET).
    EXPECT_EQ(metric_line(c, "wxlogin_http_requests_total{route=\"<unmatched>\""),
              "wxlogin_http_requests_total{route=\"<unmatched>\",method=\"GET\",status=\"4xx\"} 1");
}

}  // namespace
}  // namespace wx::test
