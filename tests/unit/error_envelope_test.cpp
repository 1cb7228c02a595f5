// The error envelope as the transport renders it, and the answers the transport gives itself.
#include "http/error_envelope.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <string>

#include "http/transport_errors.hpp"

namespace wx::http {
namespace {

boost::json::object body_of(Response const& res) { return boost::json::parse(res.body()).as_object(); }

ErrorEnvelope sample(status s, std::string_view code, std::string message) {
    ErrorEnvelope e;
    e.http_status = s;
    e.code = code;
    e.message = std::move(message);
    return e;
}

TEST(ErrorEnvelope, HasCodeMessageAndRequestId) {
    Response res = error_response(not_found_error(), "rid-123");
    EXPECT_EQ(res.result(), status::not_found);
    EXPECT_EQ(res[bhttp::field::content_type], "application/json");
    EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
    auto body = body_of(res);
    EXPECT_EQ(body.size(), 2u);
    EXPECT_EQ(body.at("request_id").as_string(), "rid-123");
    auto const& err = body.at("error").as_object();
    EXPECT_EQ(err.at("code").as_string(), "not_found");
    EXPECT_EQ(err.at("message").as_string(), "no such resource");
    EXPECT_EQ(err.size(), 2u);  // no details, no extra members
    EXPECT_EQ(res[bhttp::field::content_length], std::to_string(res.body().size()));
}

TEST(ErrorEnvelope, StatusAndCodeAreWhateverTheCallerChose) {
    Response res = error_response(sample(status::conflict, "some_product_code", "taken"), "r");
    EXPECT_EQ(res.result(), status::conflict);
    EXPECT_EQ(body_of(res).at("error").at("code").as_string(), "some_product_code");
    EXPECT_EQ(body_of(res).at("error").at("message").as_string(), "taken");
}

TEST(ErrorEnvelope, DetailsOnlyWhenPresent) {
    EXPECT_FALSE(
        body_of(error_response(invalid_request_error("bad"), "r")).at("error").as_object().contains("details"));

    auto e = invalid_request_error("bad", {{"password", "too_short"}, {"username", "missing"}});
    auto body = body_of(error_response(e, "r"));
    auto const& details = body.at("error").at("details").as_array();
    ASSERT_EQ(details.size(), 2u);
    EXPECT_EQ(details[0].at("field").as_string(), "password");
    EXPECT_EQ(details[0].at("reason").as_string(), "too_short");
    EXPECT_EQ(details[1].at("field").as_string(), "username");
    EXPECT_EQ(details[1].at("reason").as_string(), "missing");
}

TEST(ErrorEnvelope, ExtraMembersGoInsideErrorAfterTheStandardOnes) {
    auto e = sample(status::unauthorized, "x", "m");
    e.extra["wechat_errcode"] = 40163;
    Response res = error_response(e, "r");
    auto body = body_of(res);
    auto const& err = body.at("error").as_object();
    EXPECT_EQ(err.at("wechat_errcode").as_int64(), 40163);
    EXPECT_FALSE(body.contains("wechat_errcode"));
    EXPECT_EQ(res.body().find("\"wechat_errcode\""), res.body().rfind("\"wechat_errcode\""));
    EXPECT_LT(res.body().find("\"message\""), res.body().find("\"wechat_errcode\""));
}

TEST(ErrorEnvelope, ChallengeHeaderOnlyWhenGiven) {
    auto e = sample(status::unauthorized, "x", "m");
    EXPECT_FALSE(error_response(e, "r").count(bhttp::field::www_authenticate));
    e.www_authenticate = "Bearer error=\"invalid_token\"";
    EXPECT_EQ(error_response(e, "r")[bhttp::field::www_authenticate], "Bearer error=\"invalid_token\"");
}

TEST(ErrorEnvelope, RetryAfterWhenGiven) {
    auto e = sample(status::too_many_requests, "rate_limited", "m");
    EXPECT_FALSE(error_response(e, "r").count(bhttp::field::retry_after));
    e.retry_after_seconds = 30;
    EXPECT_EQ(error_response(e, "r")[bhttp::field::retry_after], "30");

    Response busy = error_response(overloaded_error("too many connections; retry later", 1), "r");
    EXPECT_EQ(busy.result(), status::service_unavailable);
    EXPECT_EQ(busy[bhttp::field::retry_after], "1");
    EXPECT_EQ(body_of(busy).at("error").at("code").as_string(), "overloaded");
}

TEST(ErrorEnvelope, AllowOn405) {
    Response res = error_response(method_not_allowed_error("GET, POST"), "r");
    EXPECT_EQ(res.result(), status::method_not_allowed);
    EXPECT_EQ(res[bhttp::field::allow], "GET, POST");
    EXPECT_EQ(body_of(res).at("error").at("code").as_string(), "method_not_allowed");
    EXPECT_FALSE(error_response(not_found_error(), "r").count(bhttp::field::allow));
}

TEST(ErrorEnvelope, ReasonIsNeverSent) {
    auto e = internal_error();
    e.reason = "store: database error";
    Response res = error_response(e, "r");
    EXPECT_EQ(res.body().find("database"), std::string::npos) << res.body();
}

TEST(ErrorEnvelope, KeepAliveAndVersionFollowTheArguments) {
    Response closing = error_response(payload_too_large_error(64 * 1024), "r", 11, false);
    EXPECT_FALSE(closing.keep_alive());
    EXPECT_EQ(closing[bhttp::field::connection], "close");
    Response keep = error_response(not_found_error(), "r", 11, true);
    EXPECT_TRUE(keep.keep_alive());
    Response old = error_response(not_found_error(), "r", 10, false);
    EXPECT_EQ(old.version(), 10u);
}

TEST(ErrorEnvelope, JsonEscapesTheRequestIdAndMessage) {
    Response res = error_response(invalid_request_error("quote \" and \\ backslash"), "id\"x");
    auto body = body_of(res);  // parses: the serializer escaped both
    EXPECT_EQ(body.at("request_id").as_string(), "id\"x");
    EXPECT_EQ(body.at("error").at("message").as_string(), "quote \" and \\ backslash");
}

TEST(ErrorEnvelope, AnswerErrorRecordsTheFailureForTheAccessLog) {
    Request req{verb::get, "/x", 10};
    req.keep_alive(false);
    RequestContext ctx;
    ctx.request_id = "rid-7";
    auto e = internal_error();
    e.reason = "store: database error";
    Response res = answer_error(e, req, ctx);
    EXPECT_EQ(ctx.failure.code, "internal");
    EXPECT_EQ(ctx.failure.reason, "store: database error");
    EXPECT_EQ(res.version(), 10u);
    EXPECT_FALSE(res.keep_alive());
    EXPECT_EQ(body_of(res).at("request_id").as_string(), "rid-7");
}

TEST(TransportErrors, StatusesAndCodesMatchApiMd) {
    struct Case {
        ErrorEnvelope e;
        unsigned status;
        std::string_view code;
    };
    Case const cases[] = {
        {not_found_error(), 404, "not_found"},
        {method_not_allowed_error("GET"), 405, "method_not_allowed"},
        {payload_too_large_error(64 * 1024), 413, "payload_too_large"},
        {header_too_large_error(), 431, "header_too_large"},
        {invalid_request_error("malformed HTTP request"), 400, "invalid_request"},
        {unsupported_media_type_error(), 415, "unsupported_media_type"},
        {overloaded_error("busy", 1), 503, "overloaded"},
        {internal_error(), 500, "internal"},
    };
    for (auto const& c : cases) {
        EXPECT_EQ(static_cast<unsigned>(c.e.http_status), c.status) << c.code;
        EXPECT_EQ(c.e.code, c.code);
        EXPECT_FALSE(c.e.message.empty()) << c.code;
        EXPECT_TRUE(c.e.www_authenticate.empty()) << c.code;
    }
}

TEST(TransportErrors, PayloadTooLargeNamesTheConfiguredLimit) {
    EXPECT_EQ(payload_too_large_error(64 * 1024).message, "the request body exceeds 64 KiB");
    EXPECT_EQ(payload_too_large_error(1024 * 1024).message, "the request body exceeds 1 MiB");
    EXPECT_EQ(payload_too_large_error(1000).message, "the request body exceeds 1000 bytes");
    EXPECT_EQ(payload_too_large_error(1536).message, "the request body exceeds 1536 bytes");
}

TEST(TransportErrors, ReadableSize) {
    EXPECT_EQ(readable_size(0), "0 bytes");
    EXPECT_EQ(readable_size(1), "1 byte");
    EXPECT_EQ(readable_size(1023), "1023 bytes");
    EXPECT_EQ(readable_size(1024), "1 KiB");
    EXPECT_EQ(readable_size(3 * 1024 * 1024), "3 MiB");
    EXPECT_EQ(readable_size(1024 * 1024 + 1024), "1025 KiB");
}

}  // namespace
}  // namespace wx::http
