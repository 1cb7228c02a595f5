// RFC 9112 framing through a real socket: every way of saying where a request ends that two
// readers could disagree on is refused with 400 and a closed connection, so that no body can be
// read as a second, smuggled request (security-anchors.md §3, issue 15 findings 1 and 5).
#include <gtest/gtest.h>

#include <iterator>
#include <regex>
#include <string>
#include <string_view>

#include "support/http_client.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

// A complete request that would get its own answer if it were read as one.
constexpr std::string_view kSmuggled = "GET /api/v1/users/me HTTP/1.1\r\nHost: x\r\n\r\n";

// Status lines among the bytes ("HTTP/1.1 400 "), not mentions of the version in a message.
std::size_t responses_in(std::string const& bytes) {
    static std::regex const status_line{R"(HTTP/1\.[01] [1-5][0-9][0-9] )"};
    return static_cast<std::size_t>(
        std::distance(std::sregex_iterator(bytes.begin(), bytes.end(), status_line), std::sregex_iterator()));
}

// Sends the bytes on a fresh connection; expects exactly one answer, a 400 invalid_request, and
// the connection closed after it.
void expect_refused(HttpClient const& c, std::string const& request, std::string_view reason_part) {
    auto raw = c.raw(request);
    SCOPED_TRACE(request);
    auto res = raw.response();
    ASSERT_TRUE(res) << raw.bytes;
    EXPECT_EQ(res->status, 400u) << raw.bytes;
    EXPECT_EQ(res->error_code(), "invalid_request") << raw.bytes;
    EXPECT_NE(res->body.find(reason_part), std::string::npos) << res->body;
    // HTTP/1.0 answers close by default and need not say so.
    if (!raw.bytes.starts_with("HTTP/1.0")) {
        EXPECT_EQ(res->header("Connection"), "close");
    }
    EXPECT_TRUE(raw.closed);
    EXPECT_EQ(responses_in(raw.bytes), 1u) << raw.bytes;
}

std::string login_with_body_framed_by(std::string_view transfer_encoding_line) {
    std::string body = std::string{kSmuggled};
    return "POST /api/v1/auth/wechat/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
           std::string{transfer_encoding_line} + "\r\n\r\n" + body;
}

class RequestFraming : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }
    TestApp app_;
    HttpClient c_ = app_.client();
};

TEST_F(RequestFraming, TransferEncodingOtherThanOneFinalChunkedIsRefused) {
    for (std::string_view te :
         {"Transfer-Encoding: chunked, identity", "Transfer-Encoding: identity", "Transfer-Encoding: xchunked",
          "Transfer-Encoding: ", "Transfer-Encoding: gzip, chunked",
          "Transfer-Encoding: identity\r\nTransfer-Encoding: chunked"}) {
        expect_refused(c_, login_with_body_framed_by(te), "Transfer-Encoding");
    }
}

TEST_F(RequestFraming, TransferEncodingInHttp10IsRefused) {
    expect_refused(c_,
                   "POST /api/v1/auth/wechat/login HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                   "0\r\n\r\n",
                   "HTTP/1.1");
}

TEST_F(RequestFraming, ContentLengthWithTransferEncodingIsRefused) {
    // Beast refuses this pair itself (bad_transfer_encoding); either way it is one 400.
    expect_refused(c_,
                   "POST /api/v1/auth/wechat/login HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
                   "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                   "");
}

TEST_F(RequestFraming, ContentLengthMustBeOneNumber) {
    expect_refused(c_, "POST /api/v1/auth/wechat/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2, 2\r\n\r\n{}",
                   "Content-Length");
    expect_refused(
        c_, "POST /api/v1/auth/wechat/login HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 2\r\n\r\n{}",
        "Content-Length");
}

TEST_F(RequestFraming, ObsFoldIsRefused) {
    expect_refused(c_, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: one\r\n two\r\n\r\n", "obs-fold");
    expect_refused(c_, "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Note: one\r\n\ttwo\r\n\r\n", "obs-fold");
    // Whitespace between the request line and the first field is the same fold.
    expect_refused(c_, "GET /healthz HTTP/1.1\r\n Host: x\r\n\r\n", "obs-fold");
}

TEST_F(RequestFraming, BareLineEndsAndSpaceBeforeColonAreRefused) {
    // Each ends with a proper blank line: like Beast, the server waits for the end of the header
    // section before judging its lines.
    expect_refused(c_, "GET /healthz HTTP/1.1\nHost: x\r\n\r\n", "malformed");
    expect_refused(c_, "GET /healthz HTTP/1.1\r\nHost: x\nX-A: b\r\n\r\n", "malformed");
    expect_refused(c_, "GET /healthz HTTP/1.1\r\nHost: x\rX-A: b\r\n\r\n", "malformed");
    expect_refused(c_, "GET /healthz HTTP/1.1\r\nHost : x\r\n\r\n", "malformed");
}

TEST_F(RequestFraming, Http11NeedsExactlyOneHost) {
    expect_refused(c_, "GET /healthz HTTP/1.1\r\nConnection: close\r\n\r\n", "Host");
    expect_refused(c_, "GET /healthz HTTP/1.1\r\nHost: a\r\nHost: b\r\nConnection: close\r\n\r\n", "Host");
    expect_refused(c_, "GET /healthz HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", "Host");
}

TEST_F(RequestFraming, Http10WithoutHostIsServed) {
    auto raw = c_.raw("GET /healthz HTTP/1.0\r\n\r\n");
    auto res = raw.response();
    ASSERT_TRUE(res) << raw.bytes;
    EXPECT_EQ(res->status, 200u) << raw.bytes;
}

TEST_F(RequestFraming, AbsoluteFormTargetIsRoutedByItsPath) {
    for (std::string_view target : {"http://x/healthz", "HTTP://x:8080/healthz", "https://x/healthz?probe=1"}) {
        auto raw = c_.raw("GET " + std::string{target} + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        auto res = raw.response();
        ASSERT_TRUE(res) << raw.bytes;
        EXPECT_EQ(res->status, 200u) << target << "\n" << raw.bytes;
    }
    auto raw = c_.raw("GET http://x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    auto res = raw.response();
    ASSERT_TRUE(res) << raw.bytes;
    EXPECT_EQ(res->status, 404u) << raw.bytes;  // "/" is no route: routed by path, like any other "/"
    EXPECT_EQ(res->error_code(), "not_found");
}

TEST_F(RequestFraming, ChunkedBodyIsStillRead) {
    std::string const body = R"({"code":"x"})";
    char size[8];
    std::snprintf(size, sizeof size, "%zx", body.size());
    auto raw = c_.raw(
        "POST /api/v1/auth/wechat/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
        std::string{size} + "\r\n" + body + "\r\n0\r\n\r\n");
    auto res = raw.response();
    ASSERT_TRUE(res) << raw.bytes;
    // The body was read as JSON: the answer is about the code, not about framing.
    EXPECT_NE(res->status, 400u) << raw.bytes;
    EXPECT_EQ(responses_in(raw.bytes), 1u);
}

TEST_F(RequestFraming, TwoAuthorizationHeadersAreUnauthorized) {
    auto pair = wechat_login(c_);
    ASSERT_EQ(pair.response.status, 200u) << pair.response.body;
    std::string const valid = "Bearer " + pair.access;
    EXPECT_EQ(c_.get("/api/v1/users/me", {{"Authorization", valid}}).status, 200u);
    for (Headers const& twice : {Headers{{"Authorization", valid}, {"Authorization", "Bearer garbage"}},
                                 Headers{{"Authorization", "Bearer garbage"}, {"Authorization", valid}},
                                 Headers{{"Authorization", valid}, {"Authorization", valid}}}) {
        auto r = c_.get("/api/v1/users/me", twice);
        EXPECT_EQ(r.status, 401u) << r.body;
        EXPECT_EQ(r.error_code(), "unauthorized") << r.body;
    }
}

TEST_F(RequestFraming, BodiesAreUtf8JsonWithOneValuePerKey) {
    auto utf16 =
        c_.post("/api/v1/auth/wechat/login", R"({"code":"x"})", {{"Content-Type", "application/json; charset=utf-16"}});
    EXPECT_EQ(utf16.status, 415u) << utf16.body;
    EXPECT_EQ(utf16.error_code(), "unsupported_media_type");
    auto twice = c_.post("/api/v1/auth/wechat/login", R"({"code":"a","code":"b"})");
    EXPECT_EQ(twice.status, 400u) << twice.body;
    EXPECT_NE(twice.body.find(R"({"field":"code","reason":"duplicate_key"})"), std::string::npos) << twice.body;
}

}  // namespace
}  // namespace wx::test
