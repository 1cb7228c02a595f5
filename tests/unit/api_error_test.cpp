// The error envelope and the headers that go with particular codes.
#include "http/api_error.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <set>
#include <string>

namespace wx::http {
namespace {

constexpr ErrorCode kFirst = ErrorCode::invalid_request;
constexpr ErrorCode kLast = ErrorCode::refresh_token_reused;

std::vector<ErrorCode> all_codes() {
    std::vector<ErrorCode> out;
    for (int i = static_cast<int>(kFirst); i <= static_cast<int>(kLast); ++i) out.push_back(static_cast<ErrorCode>(i));
    return out;
}

boost::json::object body_of(Response const& res) { return boost::json::parse(res.body()).as_object(); }

TEST(ApiError, EnvelopeHasCodeMessageAndRequestId) {
    Response res = error_response(ApiError{ErrorCode::not_found}, "rid-123");
    EXPECT_EQ(res.result(), status::not_found);
    EXPECT_EQ(res[bhttp::field::content_type], "application/json");
    EXPECT_EQ(res[bhttp::field::cache_control], "no-store");
    auto body = body_of(res);
    EXPECT_EQ(body.size(), 2u);
    EXPECT_EQ(body.at("request_id").as_string(), "rid-123");
    auto const& err = body.at("error").as_object();
    EXPECT_EQ(err.at("code").as_string(), "not_found");
    EXPECT_FALSE(err.at("message").as_string().empty());
    EXPECT_EQ(err.size(), 2u);  // no details, no wechat_errcode
    EXPECT_EQ(res[bhttp::field::content_length], std::to_string(res.body().size()));
}

TEST(ApiError, CustomMessageReplacesTheDefault) {
    auto body = body_of(error_response(ApiError{ErrorCode::invalid_request, "the body must be an object"}, "r"));
    EXPECT_EQ(body.at("error").at("message").as_string(), "the body must be an object");
}

TEST(ApiError, DetailsOnlyWhenPresent) {
    ApiError e{ErrorCode::invalid_request};
    EXPECT_FALSE(body_of(error_response(e, "r")).at("error").as_object().contains("details"));

    e.details = {{"password", "too_short"}, {"username", "missing"}};
    auto body = body_of(error_response(e, "r"));
    auto const& details = body.at("error").at("details").as_array();
    ASSERT_EQ(details.size(), 2u);
    EXPECT_EQ(details[0].at("field").as_string(), "password");
    EXPECT_EQ(details[0].at("reason").as_string(), "too_short");
    EXPECT_EQ(details[1].at("field").as_string(), "username");
    EXPECT_EQ(details[1].at("reason").as_string(), "missing");
}

TEST(ApiError, WeChatErrcodeInsideError) {
    ApiError e{ErrorCode::wechat_code_used};
    e.wechat_errcode = 40163;
    Response res = error_response(e, "r");
    EXPECT_EQ(res.result(), status::unauthorized);
    auto body = body_of(res);
    EXPECT_EQ(body.at("error").at("wechat_errcode").as_int64(), 40163);
    EXPECT_FALSE(body.contains("wechat_errcode"));
    EXPECT_FALSE(res.count(bhttp::field::www_authenticate));  // a WeChat 401 is not a bearer failure
}

TEST(ApiError, WwwAuthenticateOnlyOnTheFourBearerCodes) {
    std::set<ErrorCode> const bearer = {ErrorCode::unauthorized, ErrorCode::token_invalid, ErrorCode::token_expired,
                                        ErrorCode::token_revoked};
    for (ErrorCode c : all_codes()) {
        Response res = error_response(ApiError{c}, "r");
        if (bearer.count(c)) {
            EXPECT_EQ(res.result(), status::unauthorized) << code_name(c);
            EXPECT_EQ(res[bhttp::field::www_authenticate], "Bearer error=\"invalid_token\"") << code_name(c);
        } else {
            EXPECT_FALSE(res.count(bhttp::field::www_authenticate)) << code_name(c);
        }
    }
}

TEST(ApiError, RetryAfterWhenGiven) {
    ApiError e{ErrorCode::rate_limited};
    EXPECT_FALSE(error_response(e, "r").count(bhttp::field::retry_after));
    e.retry_after_seconds = 30;
    Response res = error_response(e, "r");
    EXPECT_EQ(res.result(), status::too_many_requests);
    EXPECT_EQ(res[bhttp::field::retry_after], "30");

    ApiError busy{ErrorCode::overloaded};
    busy.retry_after_seconds = 1;
    Response r2 = error_response(busy, "r");
    EXPECT_EQ(r2.result(), status::service_unavailable);
    EXPECT_EQ(r2[bhttp::field::retry_after], "1");
}

TEST(ApiError, AllowOn405) {
    ApiError e{ErrorCode::method_not_allowed};
    e.allow = "GET, POST";
    Response res = error_response(e, "r");
    EXPECT_EQ(res.result(), status::method_not_allowed);
    EXPECT_EQ(res[bhttp::field::allow], "GET, POST");
    EXPECT_FALSE(error_response(ApiError{ErrorCode::not_found}, "r").count(bhttp::field::allow));
}

TEST(ApiError, KeepAliveAndVersionFollowTheArguments) {
    Response closing = error_response(ApiError{ErrorCode::payload_too_large}, "r", 11, false);
    EXPECT_FALSE(closing.keep_alive());
    EXPECT_EQ(closing[bhttp::field::connection], "close");
    Response keep = error_response(ApiError{ErrorCode::not_found}, "r", 11, true);
    EXPECT_TRUE(keep.keep_alive());
    Response old = error_response(ApiError{ErrorCode::not_found}, "r", 10, false);
    EXPECT_EQ(old.version(), 10u);
}

TEST(ApiError, StatusesMatchApiMd) {
    struct Case {
        ErrorCode code;
        unsigned status;
    };
    for (auto [code, want] : {Case{ErrorCode::invalid_request, 400},
                              Case{ErrorCode::unsupported_media_type, 415},
                              Case{ErrorCode::payload_too_large, 413},
                              Case{ErrorCode::header_too_large, 431},
                              Case{ErrorCode::not_found, 404},
                              Case{ErrorCode::method_not_allowed, 405},
                              Case{ErrorCode::unauthorized, 401},
                              Case{ErrorCode::token_invalid, 401},
                              Case{ErrorCode::token_expired, 401},
                              Case{ErrorCode::token_revoked, 401},
                              Case{ErrorCode::rate_limited, 429},
                              Case{ErrorCode::too_many_attempts, 429},
                              Case{ErrorCode::overloaded, 503},
                              Case{ErrorCode::unavailable, 503},
                              Case{ErrorCode::internal, 500},
                              Case{ErrorCode::wechat_code_invalid, 401},
                              Case{ErrorCode::wechat_code_used, 401},
                              Case{ErrorCode::wechat_user_blocked, 403},
                              Case{ErrorCode::wechat_rate_limited, 429},
                              Case{ErrorCode::wechat_misconfigured, 500},
                              Case{ErrorCode::wechat_unavailable, 502},
                              Case{ErrorCode::wechat_already_bound, 409},
                              Case{ErrorCode::wechat_decrypt_failed, 400},
                              Case{ErrorCode::wechat_session_missing, 409},
                              Case{ErrorCode::username_taken, 409},
                              Case{ErrorCode::email_taken, 409},
                              Case{ErrorCode::invalid_credentials, 401},
                              Case{ErrorCode::refresh_token_invalid, 401},
                              Case{ErrorCode::refresh_token_expired, 401},
                              Case{ErrorCode::refresh_token_reused, 401}}) {
        EXPECT_EQ(static_cast<unsigned>(status_of(code)), want) << code_name(code);
    }
}

TEST(ApiError, CodeNamesAreUniqueSnakeCaseAndMessagesNonEmpty) {
    std::set<std::string_view> seen;
    for (ErrorCode c : all_codes()) {
        std::string_view name = code_name(c);
        EXPECT_TRUE(seen.insert(name).second) << name;  // also catches a code falling back to "internal"
        EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << name;
        EXPECT_FALSE(default_message(c).empty()) << name;
    }
}

TEST(ApiError, EnvelopeJsonEscapesTheRequestIdAndMessage) {
    Response res = error_response(ApiError{ErrorCode::invalid_request, "quote \" and \\ backslash"}, "id\"x");
    auto body = body_of(res);  // parses: the serializer escaped both
    EXPECT_EQ(body.at("request_id").as_string(), "id\"x");
    EXPECT_EQ(body.at("error").at("message").as_string(), "quote \" and \\ backslash");
}

}  // namespace
}  // namespace wx::http
