// The WeChat errcode -> HTTP table of API.md, row by row, and the other module errors.
#include <gtest/gtest.h>

#include "api/error_mapping.hpp"
#include "auth/jwt.hpp"
#include "store/errors.hpp"
#include "support/log_capture.hpp"
#include "wechat/wechat_api.hpp"

namespace wx::api {
namespace {

struct Row {
    int errcode;
    unsigned status;
    ErrorCode code;
};

TEST(ErrorMapping, EveryRowOfTheWeChatTable) {
    Row const rows[] = {
        {40029, 401, ErrorCode::wechat_code_invalid},  {40163, 401, ErrorCode::wechat_code_used},
        {40226, 403, ErrorCode::wechat_user_blocked},  {45011, 429, ErrorCode::wechat_rate_limited},
        {40013, 500, ErrorCode::wechat_misconfigured}, {40125, 500, ErrorCode::wechat_misconfigured},
        {41002, 500, ErrorCode::wechat_misconfigured}, {41004, 500, ErrorCode::wechat_misconfigured},
        {-1, 502, ErrorCode::wechat_unavailable},      {40001, 502, ErrorCode::wechat_unavailable},
        {99999, 502, ErrorCode::wechat_unavailable},
    };
    for (auto const& r : rows) {
        auto e = to_api_error(wechat::errcode_error(r.errcode));
        EXPECT_EQ(e.code, r.code) << r.errcode;
        EXPECT_EQ(static_cast<unsigned>(status_of(e.code)), r.status) << r.errcode;
        ASSERT_TRUE(e.wechat_errcode) << r.errcode;
        EXPECT_EQ(*e.wechat_errcode, r.errcode);
    }
    EXPECT_EQ(to_api_error(wechat::errcode_error(45011)).retry_after_seconds, 60);
}

TEST(ErrorMapping, TransportFailuresAreUnavailableWithoutAnErrcode) {
    for (auto e : {wechat::Errc::timeout, wechat::Errc::connection_failed, wechat::Errc::http_status,
                   wechat::Errc::bad_response, wechat::Errc::response_too_large}) {
        auto api = to_api_error(make_error_code(e));
        EXPECT_EQ(api.code, ErrorCode::wechat_unavailable);
        EXPECT_EQ(status_of(api.code), http::status::bad_gateway);
        EXPECT_FALSE(api.wechat_errcode);
    }
}

TEST(ErrorMapping, TokenErrors) {
    EXPECT_EQ(to_api_error(make_error_code(auth::JwtErrc::expired)).code, ErrorCode::token_expired);
    for (auto e : {auth::JwtErrc::malformed, auth::JwtErrc::bad_algorithm, auth::JwtErrc::bad_signature,
                   auth::JwtErrc::not_yet_valid, auth::JwtErrc::wrong_issuer, auth::JwtErrc::wrong_audience})
        EXPECT_EQ(to_api_error(make_error_code(e)).code, ErrorCode::token_invalid);
}

TEST(ErrorMapping, StoreErrorsNeverLeakAs500ExceptBugs) {
    auto overloaded = to_api_error(make_error_code(store::Errc::overloaded));
    EXPECT_EQ(overloaded.code, ErrorCode::overloaded);
    EXPECT_EQ(overloaded.retry_after_seconds, 1);
    EXPECT_EQ(to_api_error(make_error_code(store::Errc::busy)).code, ErrorCode::unavailable);
    EXPECT_EQ(to_api_error(make_error_code(store::Errc::unavailable)).code, ErrorCode::unavailable);
    auto conflict = to_api_error(make_error_code(store::Errc::conflict));
    EXPECT_EQ(conflict.code, ErrorCode::unavailable) << "a race that outlasted the store's reruns";
    EXPECT_EQ(conflict.retry_after_seconds, 1);
    EXPECT_EQ(to_api_error(make_error_code(store::Errc::internal)).code, ErrorCode::internal);
}

TEST(ErrorMapping, RecordsTheReasonForTheAccessLogAndLogsNothingItself) {
    test::LogCapture capture;
    auto misconfigured = to_api_error(wechat::errcode_error(40013));
    EXPECT_EQ(misconfigured.code, ErrorCode::wechat_misconfigured);
    EXPECT_EQ(misconfigured.reason, "wechat.errcode: WeChat errcode 40013");
    auto database = to_api_error(make_error_code(store::Errc::busy));
    EXPECT_EQ(database.reason, "store: database busy");
    auto unexpected = to_api_error(make_error_code(boost::system::errc::io_error));
    EXPECT_EQ(unexpected.code, ErrorCode::internal);
    EXPECT_EQ(unexpected.reason.rfind("generic: ", 0), 0u) << unexpected.reason;
    auto transport = to_api_error(make_error_code(wechat::Errc::timeout));
    EXPECT_EQ(transport.reason.rfind("wechat.transport: ", 0), 0u) << transport.reason;
    EXPECT_EQ(caller_error(make_error_code(store::Errc::not_found)).code, ErrorCode::token_revoked);
    EXPECT_EQ(misconfigured.envelope().reason, misconfigured.reason);  // what fail() hands to the access log
    EXPECT_EQ(capture.text(), "");
}

}  // namespace
}  // namespace wx::api
