// Request hygiene of API.md "Conventions" against the real App on an ephemeral port: limits,
// malformed requests, error envelopes, request ids, keep-alive, 100-continue and the ops routes.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "support/http_client.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

bool is_hex32(std::string const& s) {
    return s.size() == 32 && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

class Hygiene : public ::testing::Test {
protected:
    TestApp app_;
    HttpClient client_{app_.port()};

    std::string request_head(std::string_view method, std::string_view target, Headers const& headers = {}) const {
        std::string s{method};
        s += ' ';
        s += target;
        s += " HTTP/1.1\r\nHost: 127.0.0.1:" + std::to_string(app_.port()) + "\r\n";
        for (auto const& [k, v] : headers) s += k + ": " + v + "\r\n";
        s += "\r\n";
        return s;
    }

    // Checks an answer the server gives before routing: the envelope, its code, and a closed connection.
    static void expect_rejected_and_closed(RawResult const& raw, unsigned status, std::string const& code) {
        ASSERT_TRUE(raw.connected);
        auto res = raw.response();
        ASSERT_TRUE(res.has_value()) << "no complete response in: " << raw.bytes.substr(0, 300);
        EXPECT_EQ(res->status, status) << res->body;
        EXPECT_EQ(res->error_code(), code) << res->body;
        EXPECT_EQ(lower(res->header("Connection")), "close");
        EXPECT_TRUE(res->has_header("X-Request-Id"));
        EXPECT_EQ(res->envelope_request_id(), res->header("X-Request-Id"));
        EXPECT_TRUE(raw.closed) << "the server kept the connection open";
    }
};

TEST_F(Hygiene, HealthzAnswers200) {
    auto res = client_.get("/healthz");
    ASSERT_EQ(res.status, 200u) << res.transport_error;
    EXPECT_EQ(res.body, R"({"status":"ok"})");
    EXPECT_EQ(res.header("Content-Type"), "application/json");
    EXPECT_EQ(res.header("Cache-Control"), "no-store");
}

TEST_F(Hygiene, UnknownPathIs404EnvelopeWithRequestId) {
    for (std::string target : {"/nope", "/healthz/", "/api/v1/nothing?x=1", "/HEALTHZ"}) {
        auto res = client_.get(target);
        ASSERT_EQ(res.status, 404u) << target;
        EXPECT_EQ(res.error_code(), "not_found") << target;
        ASSERT_TRUE(res.json.is_object()) << res.body;
        auto const& obj = res.json.as_object();
        EXPECT_EQ(obj.size(), 2u) << res.body;
        auto const& err = obj.at("error").as_object();
        EXPECT_FALSE(err.at("message").as_string().empty());
        EXPECT_FALSE(err.contains("details")) << res.body;
        EXPECT_TRUE(is_hex32(res.header("X-Request-Id"))) << res.header("X-Request-Id");
        EXPECT_EQ(res.envelope_request_id(), res.header("X-Request-Id"));
        EXPECT_EQ(res.header("Content-Type"), "application/json");
    }
}

TEST_F(Hygiene, WrongMethodIs405WithAllow) {
    auto res = client_.post("/healthz", "{}");
    ASSERT_EQ(res.status, 405u) << res.body;
    EXPECT_EQ(res.header("Allow"), "GET");
    EXPECT_EQ(res.error_code(), "method_not_allowed");
    EXPECT_EQ(res.envelope_request_id(), res.header("X-Request-Id"));

    for (std::string method : {"DELETE", "PUT", "PATCH"}) {
        auto r = client_.request(method, "/metrics");
        EXPECT_EQ(r.status, 405u) << method;
        EXPECT_EQ(r.header("Allow"), "GET") << method;
    }
}

TEST_F(Hygiene, UnknownMethodTokenIs405) {
    auto res = client_.request("BREW", "/readyz");
    EXPECT_EQ(res.status, 405u) << res.body;
    EXPECT_EQ(res.header("Allow"), "GET");
}

TEST_F(Hygiene, SaneRequestIdIsEchoed) {
    for (std::string id : {std::string{"abc-123"}, std::string{"A.b_c:d-e"}, std::string(128, 'x'), std::string{"0"}}) {
        auto ok = client_.get("/healthz", {{"X-Request-Id", id}});
        EXPECT_EQ(ok.header("X-Request-Id"), id);
        auto err = client_.get("/missing", {{"X-Request-Id", id}});
        EXPECT_EQ(err.header("X-Request-Id"), id);
        EXPECT_EQ(err.envelope_request_id(), id);
    }
}

TEST_F(Hygiene, MissingRequestIdIsGenerated) {
    auto a = client_.get("/healthz");
    auto b = client_.get("/healthz");
    EXPECT_TRUE(is_hex32(a.header("X-Request-Id"))) << a.header("X-Request-Id");
    EXPECT_TRUE(is_hex32(b.header("X-Request-Id"))) << b.header("X-Request-Id");
    EXPECT_NE(a.header("X-Request-Id"), b.header("X-Request-Id"));
}

TEST_F(Hygiene, InsaneRequestIdIsReplaced) {
    for (std::string id :
         {std::string{"has spaces in it"}, std::string(200, 'a'), std::string(129, 'b'), std::string{"quote\"inside"},
          std::string{"semi;colon"}, std::string{"\xe5\xbe\xae"}, std::string{"a/b"}}) {
        auto res = client_.get("/missing", {{"X-Request-Id", id}});
        ASSERT_EQ(res.status, 404u) << id;
        std::string got = res.header("X-Request-Id");
        EXPECT_TRUE(is_hex32(got)) << id << " -> " << got;
        EXPECT_EQ(res.envelope_request_id(), got);
    }
}

TEST_F(Hygiene, OversizedBodyIs413OnAnyPathAndCloses) {
    std::string const body(64 * 1024 + 1, 'a');
    for (std::string target : {"/healthz", "/nope", "/api/v1/auth/wechat/login", "/metrics?x=1"}) {
        SCOPED_TRACE(target);
        RawResult raw = client_.raw(
            request_head("POST", target,
                         {{"Content-Type", "application/json"}, {"Content-Length", std::to_string(body.size())}}) +
            body);
        expect_rejected_and_closed(raw, 413, "payload_too_large");
    }
}

TEST_F(Hygiene, BodyOfExactly64KiBIsAccepted) {
    // The limit is inclusive: the request reaches the router (404 here), and the connection stays usable.
    std::string body(64 * 1024, ' ');
    body.front() = '{';
    body.back() = '}';
    auto res = client_.post("/nope", body);
    EXPECT_EQ(res.status, 404u) << res.body;
    EXPECT_EQ(client_.get("/healthz").status, 200u);
}

TEST_F(Hygiene, DeclaredOversizedLengthIsRejectedBeforeTheBodyArrives) {
    // No body is sent at all: the answer must come from the header alone, at once.
    RawResult raw = client_.raw(
        request_head("POST", "/healthz", {{"Content-Type", "application/json"}, {"Content-Length", "10000000"}}));
    expect_rejected_and_closed(raw, 413, "payload_too_large");
}

TEST_F(Hygiene, OversizedChunkedBodyIs413) {
    std::string wire =
        request_head("POST", "/nope", {{"Content-Type", "application/json"}, {"Transfer-Encoding", "chunked"}});
    std::string const chunk(8192, 'a');
    for (int i = 0; i < 9; ++i) {  // 72 KiB in 8 KiB chunks
        wire += "2000\r\n";
        wire += chunk;
        wire += "\r\n";
    }
    wire += "0\r\n\r\n";
    expect_rejected_and_closed(client_.raw(wire), 413, "payload_too_large");
}

TEST_F(Hygiene, OversizedHeaderBlockIs431) {
    RawResult raw = client_.raw(request_head("GET", "/healthz", {{"X-Padding", std::string(20 * 1024, 'p')}}));
    expect_rejected_and_closed(raw, 431, "header_too_large");
}

TEST_F(Hygiene, ManySmallHeadersOverTheLimitAre431) {
    Headers many;
    for (int i = 0; i < 400; ++i) many.emplace_back("X-H" + std::to_string(i), std::string(50, 'v'));
    expect_rejected_and_closed(client_.raw(request_head("GET", "/healthz", many)), 431, "header_too_large");
}

TEST_F(Hygiene, MalformedRequestIs400AndCloses) {
    for (std::string wire : {std::string{"GARBAGE\r\n\r\n"}, std::string{"GET /healthz\r\n\r\n"},
                             std::string{"G@T /healthz HTTP/1.1\r\nHost: x\r\n\r\n"},
                             std::string{"GET /healthz HTTP/1.1\r\nBad Header Line\r\n\r\n"},
                             std::string{"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n"},
                             std::string{"GET /healthz HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"}}) {
        SCOPED_TRACE(wire);
        expect_rejected_and_closed(client_.raw(wire), 400, "invalid_request");
    }
}

TEST_F(Hygiene, MalformedRequestEchoesASaneRequestId) {
    RawResult raw = client_.raw("GET /healthz HTTP/1.1\r\nX-Request-Id: bad-req-1\r\nContent-Length: x\r\n\r\n");
    auto res = raw.response();
    ASSERT_TRUE(res.has_value()) << raw.bytes;
    EXPECT_EQ(res->status, 400u);
    EXPECT_EQ(res->header("X-Request-Id"), "bad-req-1");
}

TEST_F(Hygiene, KeepAliveServesTwoRequestsOnOneConnection) {
    auto a = client_.get("/healthz");
    auto b = client_.get("/readyz");
    auto c = client_.get("/nope");  // an error answer keeps the connection too
    auto d = client_.get("/healthz");
    EXPECT_EQ(a.status, 200u);
    EXPECT_EQ(b.status, 200u);
    EXPECT_EQ(c.status, 404u);
    EXPECT_EQ(d.status, 200u);
    EXPECT_EQ(client_.connects(), 1u);
    EXPECT_NE(lower(a.header("Connection")), "close");
}

TEST_F(Hygiene, PipelinedRequestsAreAnsweredInOrder) {
    RawConnection conn{app_.port()};
    ASSERT_TRUE(conn.connected());
    ASSERT_TRUE(conn.send(request_head("GET", "/healthz", {{"X-Request-Id", "first"}}) +
                          request_head("GET", "/nope", {{"X-Request-Id", "second"}})));
    auto first = conn.read_response();
    auto second = conn.read_response();
    EXPECT_EQ(first.status, 200u) << first.transport_error;
    EXPECT_EQ(first.header("X-Request-Id"), "first");
    EXPECT_EQ(second.status, 404u) << second.transport_error;
    EXPECT_EQ(second.header("X-Request-Id"), "second");
}

TEST_F(Hygiene, ConnectionCloseIsHonoured) {
    RawResult raw = client_.raw(request_head("GET", "/healthz", {{"Connection", "close"}}));
    auto res = raw.response();
    ASSERT_TRUE(res.has_value());
    EXPECT_EQ(res->status, 200u);
    EXPECT_EQ(lower(res->header("Connection")), "close");
    EXPECT_TRUE(raw.closed);
}

TEST_F(Hygiene, Http10WithoutKeepAliveCloses) {
    RawResult raw = client_.raw("GET /healthz HTTP/1.0\r\n\r\n");
    auto res = raw.response();
    ASSERT_TRUE(res.has_value()) << raw.bytes;
    EXPECT_EQ(res->status, 200u);
    EXPECT_EQ(raw.bytes.rfind("HTTP/1.0 200", 0), 0u) << raw.bytes.substr(0, 40);
    EXPECT_TRUE(raw.closed);
}

TEST_F(Hygiene, Expect100ContinueIsAnswered) {
    RawConnection conn{app_.port()};
    ASSERT_TRUE(conn.connected());
    ASSERT_TRUE(conn.send(
        request_head("POST", "/healthz",
                     {{"Content-Type", "application/json"}, {"Content-Length", "2"}, {"Expect", "100-continue"}})));
    ASSERT_TRUE(conn.read_until("\r\n\r\n")) << conn.received();
    EXPECT_EQ(conn.received().rfind("HTTP/1.1 100 Continue\r\n", 0), 0u) << conn.received();
    ASSERT_TRUE(conn.send("{}"));
    auto res = conn.read_response();
    EXPECT_EQ(res.status, 405u) << res.transport_error;
    EXPECT_EQ(res.header("Allow"), "GET");
}

TEST_F(Hygiene, Expect100ContinueWithOversizedBodyIs413WithoutContinue) {
    RawConnection conn{app_.port()};
    ASSERT_TRUE(conn.connected());
    ASSERT_TRUE(conn.send(request_head(
        "POST", "/healthz",
        {{"Content-Type", "application/json"}, {"Content-Length", "100000"}, {"Expect", "100-continue"}})));
    ASSERT_TRUE(conn.read_until_closed()) << conn.received();
    EXPECT_EQ(conn.received().rfind("HTTP/1.1 413 ", 0), 0u) << conn.received().substr(0, 60);
}

TEST_F(Hygiene, ReadyzReportsItsChecks) {
    auto res = client_.get("/readyz");
    ASSERT_EQ(res.status, 200u) << res.body;
    ASSERT_TRUE(res.json.is_object()) << res.body;
    auto const& obj = res.json.as_object();
    EXPECT_EQ(obj.size(), 2u) << res.body;
    EXPECT_EQ(obj.at("status").as_string(), "ok");
    auto const& checks = obj.at("checks").as_object();
    EXPECT_EQ(checks.at("database").as_string(), "ok");
    EXPECT_EQ(checks.at("redis").as_string(), test_stack() == TestStack::sqlite ? "disabled" : "ok");
}

TEST_F(Hygiene, MetricsCountsHealthzRequests) {
    ASSERT_EQ(client_.get("/healthz").status, 200u);
    ASSERT_EQ(client_.get("/healthz").status, 200u);
    ASSERT_EQ(client_.get("/definitely-missing").status, 404u);
    auto res = client_.get("/metrics");
    ASSERT_EQ(res.status, 200u);
    EXPECT_EQ(res.header("Content-Type").rfind("text/plain; version=0.0.4", 0), 0u) << res.header("Content-Type");
    EXPECT_NE(res.body.find("wxlogin_http_requests_total{route=\"/healthz\",method=\"GET\",status=\"2xx\"} 2\n"),
              std::string::npos)
        << res.body;
    // Unknown paths are counted under one label, never under the raw path.
    EXPECT_NE(res.body.find("route=\"<unmatched>\",method=\"GET\",status=\"4xx\"} 1\n"), std::string::npos) << res.body;
    EXPECT_EQ(res.body.find("definitely-missing"), std::string::npos);
    // Both /healthz requests are in the latency histogram too.
    EXPECT_NE(res.body.find("wxlogin_http_request_duration_seconds_count{route=\"/healthz\",method=\"GET\","
                            "status=\"2xx\"} 2\n"),
              std::string::npos)
        << res.body;
    EXPECT_NE(res.body.find("wxlogin_http_request_duration_seconds_bucket{route=\"/healthz\",method=\"GET\","
                            "status=\"2xx\",le=\"+Inf\"} 2\n"),
              std::string::npos)
        << res.body;
}

TEST_F(Hygiene, EveryAnswerCarriesRequestIdAndNoStore) {
    for (auto const& res : {client_.get("/healthz"), client_.get("/readyz"), client_.get("/metrics"),
                            client_.get("/nope"), client_.post("/healthz", "{}")}) {
        EXPECT_TRUE(res.has_header("X-Request-Id")) << res.status;
        EXPECT_EQ(res.header("Cache-Control"), "no-store") << res.status;
    }
}

}  // namespace
}  // namespace wx::test
