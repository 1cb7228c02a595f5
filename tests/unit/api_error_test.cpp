// The product's error table: names, statuses and messages of API.md, the headers that go with
// particular codes, and agreement with the codes the transport answers by itself.
#include "api/api_error.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <set>
#include <string>

#include "http/transport_errors.hpp"

namespace wx::api {
namespace {

using http::status;
using http::bhttp::field;

std::vector<ErrorCode> all_codes() {
    std::vector<ErrorCode> out;
    for (std::size_t i = 0; i < kErrorCodeCount; ++i) out.push_back(static_cast<ErrorCode>(i));
    return out;
}

http::Response render(ApiError const& e) { return http::error_response(e.envelope(), "r"); }
boost::json::object body_of(http::Response const& res) { return boost::json::parse(res.body()).as_object(); }

TEST(ApiError, StatusesMatchApiMd) {
    struct Case {
        ErrorCode code;
        unsigned status;
    };
    Case const cases[] = {{ErrorCode::invalid_request, 400},
                          {ErrorCode::not_found, 404},
                          {ErrorCode::unauthorized, 401},
                          {ErrorCode::token_invalid, 401},
                          {ErrorCode::token_expired, 401},
                          {ErrorCode::token_revoked, 401},
                          {ErrorCode::rate_limited, 429},
                          {ErrorCode::too_many_attempts, 429},
                          {ErrorCode::overloaded, 503},
                          {ErrorCode::unavailable, 503},
                          {ErrorCode::internal, 500},
                          {ErrorCode::wechat_code_invalid, 401},
                          {ErrorCode::wechat_code_used, 401},
                          {ErrorCode::wechat_user_blocked, 403},
                          {ErrorCode::wechat_rate_limited, 429},
                          {ErrorCode::wechat_misconfigured, 500},
                          {ErrorCode::wechat_unavailable, 502},
                          {ErrorCode::wechat_already_bound, 409},
                          {ErrorCode::wechat_decrypt_failed, 400},
                          {ErrorCode::wechat_session_missing, 409},
                          {ErrorCode::username_taken, 409},
                          {ErrorCode::email_taken, 409},
                          {ErrorCode::invalid_credentials, 401},
                          {ErrorCode::refresh_token_invalid, 401},
                          {ErrorCode::refresh_token_expired, 401},
                          {ErrorCode::refresh_token_reused, 401},
                          {ErrorCode::no_password, 409},
                          {ErrorCode::account_disabled, 403},
                          {ErrorCode::forbidden, 403},
                          {ErrorCode::conflict, 409}};
    EXPECT_EQ(std::size(cases), kErrorCodeCount);  // every code has a row here
    for (auto [code, want] : cases) {
        EXPECT_EQ(static_cast<unsigned>(status_of(code)), want) << code_name(code);
        EXPECT_EQ(static_cast<unsigned>(render(ApiError{code}).result()), want) << code_name(code);
    }
}

TEST(ApiError, CodeNamesAreUniqueSnakeCaseAndMessagesNonEmpty) {
    std::set<std::string_view> seen;
    for (ErrorCode c : all_codes()) {
        std::string_view name = code_name(c);
        EXPECT_TRUE(seen.insert(name).second) << name;
        EXPECT_EQ(name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_"), std::string_view::npos) << name;
        EXPECT_FALSE(default_message(c).empty()) << name;
    }
    EXPECT_EQ(code_name(ErrorCode::wechat_code_used), "wechat_code_used");
    EXPECT_EQ(code_name(ErrorCode::refresh_token_reused), "refresh_token_reused");
}

TEST(ApiError, EnvelopeCarriesNameDefaultMessageAndRequestId) {
    auto body = body_of(render(ApiError{ErrorCode::username_taken}));
    EXPECT_EQ(body.at("error").at("code").as_string(), "username_taken");
    EXPECT_EQ(body.at("error").at("message").as_string(), "the username is taken");
    EXPECT_EQ(body.at("error").as_object().size(), 2u);
    EXPECT_EQ(body.at("request_id").as_string(), "r");
}

TEST(ApiError, CustomMessageReplacesTheDefault) {
    auto body = body_of(render(ApiError{ErrorCode::invalid_request, "the body must be an object"}));
    EXPECT_EQ(body.at("error").at("message").as_string(), "the body must be an object");
}

TEST(ApiError, DetailsAreRendered) {
    ApiError e{ErrorCode::invalid_request};
    e.details = {{"role", "invalid_value"}};
    auto details = body_of(render(e)).at("error").at("details").as_array();
    ASSERT_EQ(details.size(), 1u);
    EXPECT_EQ(details[0].at("field").as_string(), "role");
}

TEST(ApiError, WeChatErrcodeInsideError) {
    ApiError e{ErrorCode::wechat_code_used};
    e.wechat_errcode = 40163;
    http::Response res = render(e);
    EXPECT_EQ(res.result(), status::unauthorized);
    auto body = body_of(res);
    EXPECT_EQ(body.at("error").at("wechat_errcode").as_int64(), 40163);
    EXPECT_FALSE(body.contains("wechat_errcode"));
    EXPECT_FALSE(res.count(field::www_authenticate));  // a WeChat 401 is not a bearer failure
}

TEST(ApiError, WwwAuthenticateOnlyOnTheFourBearerCodes) {
    std::set<ErrorCode> const bearer = {ErrorCode::unauthorized, ErrorCode::token_invalid, ErrorCode::token_expired,
                                        ErrorCode::token_revoked};
    for (ErrorCode c : all_codes()) {
        http::Response res = render(ApiError{c});
        EXPECT_EQ(is_bearer_failure(c), bearer.count(c) == 1) << code_name(c);
        if (bearer.count(c)) {
            EXPECT_EQ(res.result(), status::unauthorized) << code_name(c);
            EXPECT_EQ(res[field::www_authenticate], "Bearer error=\"invalid_token\"") << code_name(c);
        } else {
            EXPECT_FALSE(res.count(field::www_authenticate)) << code_name(c);
        }
    }
}

TEST(ApiError, RetryAfterWhenGiven) {
    ApiError e{ErrorCode::rate_limited};
    EXPECT_FALSE(render(e).count(field::retry_after));
    e.retry_after_seconds = 30;
    http::Response res = render(e);
    EXPECT_EQ(res.result(), status::too_many_requests);
    EXPECT_EQ(res[field::retry_after], "30");
}

TEST(ApiError, ReasonGoesToTheEnvelopeButNotTheBody) {
    ApiError e{ErrorCode::unavailable};
    e.reason = "store: database busy";
    EXPECT_EQ(e.envelope().reason, "store: database busy");
    EXPECT_EQ(render(e).body().find("busy"), std::string::npos);
}

TEST(ApiError, CodesSharedWithTheTransportAgree) {
    struct Case {
        ErrorCode code;
        http::ErrorEnvelope transport;
    };
    Case const cases[] = {{ErrorCode::invalid_request, http::invalid_request_error("x")},
                          {ErrorCode::not_found, http::not_found_error()},
                          {ErrorCode::overloaded, http::overloaded_error("x", 1)},
                          {ErrorCode::internal, http::internal_error()}};
    for (auto const& c : cases) {
        auto mine = ApiError{c.code}.envelope();
        EXPECT_EQ(mine.code, c.transport.code);
        EXPECT_EQ(mine.http_status, c.transport.http_status) << mine.code;
    }
    EXPECT_EQ(ApiError{ErrorCode::not_found}.envelope().message, http::not_found_error().message);
    EXPECT_EQ(ApiError{ErrorCode::internal}.envelope().message, http::internal_error().message);
}

}  // namespace
}  // namespace wx::api
