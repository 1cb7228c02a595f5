// JSON body hygiene of API.md "Conventions" on a real JSON endpoint, POST /api/v1/auth/wechat/login:
// Content-Type (415), malformed bodies (400), nesting, unknown fields.
#include <gtest/gtest.h>

#include <string>

#include "support/http_client.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr std::string_view kLogin = "/api/v1/auth/wechat/login";

// `{"code":"","deep":[[...]]}` nested `depth` levels, counting the root object as level 1. The
// empty code makes the request invalid *after* parsing, so an accepted body answers 400 with a
// "code" detail while a rejected one answers 400 without details.
std::string nested_with_empty_code(unsigned depth) {
    std::string s = R"({"code":"","deep":)";
    for (unsigned i = 1; i < depth; ++i) s += '[';
    for (unsigned i = 1; i < depth; ++i) s += ']';
    if (depth == 1) s += "0";
    s += '}';
    return s;
}

bool has_detail(HttpResult const& res, std::string_view field) {
    if (!res.json.is_object()) return false;
    auto const* err = res.json.as_object().if_contains("error");
    if (!err || !err->is_object()) return false;
    auto const* details = err->as_object().if_contains("details");
    if (!details || !details->is_array()) return false;
    for (auto const& d : details->as_array())
        if (d.is_object() && d.as_object().contains("field") && d.at("field").as_string() == field) return true;
    return false;
}

class JsonEndpoint : public ::testing::Test {
protected:
    HttpResult login(std::string_view body, std::string_view content_type = "application/json") {
        return client_.post(kLogin, body, {{"Content-Type", std::string{content_type}}});
    }

    static void expect_invalid_request(HttpResult const& res) {
        EXPECT_EQ(res.status, 400u) << res.body;
        EXPECT_EQ(res.error_code(), "invalid_request") << res.body;
        EXPECT_EQ(res.envelope_request_id(), res.header("X-Request-Id"));
    }

    TestApp app_;
    HttpClient client_{app_.port()};
};

TEST_F(JsonEndpoint, WrongContentTypeIs415) {
    for (std::string_view ct : {"text/plain", "application/x-www-form-urlencoded", "text/json", "application/jsonp"}) {
        auto res = login(R"({"code":"abc"})", ct);
        EXPECT_EQ(res.status, 415u) << ct << ": " << res.body;
        EXPECT_EQ(res.error_code(), "unsupported_media_type") << ct;
    }
}

TEST_F(JsonEndpoint, MissingContentTypeIs415) {
    auto res = client_.post(kLogin, R"({"code":"abc"})", {{"Content-Type", ""}});  // "" drops the default header
    EXPECT_EQ(res.status, 415u) << res.body;
    EXPECT_EQ(res.error_code(), "unsupported_media_type");
}

TEST_F(JsonEndpoint, JsonContentTypeVariantsAreAccepted) {
    for (std::string_view ct :
         {"application/json; charset=utf-8", "APPLICATION/JSON", "application/json;charset=UTF-8"}) {
        auto res = login(R"({"code":""})", ct);
        // Parsed, then rejected for the empty code: proof that the content type passed.
        expect_invalid_request(res);
        EXPECT_TRUE(has_detail(res, "code")) << ct << ": " << res.body;
    }
}

TEST_F(JsonEndpoint, EmptyBodyIs400) { expect_invalid_request(login("")); }

TEST_F(JsonEndpoint, TruncatedJsonIs400) {
    for (std::string_view body : {R"({"code":"ab)", R"({"code":)", "{", R"({"code":"x",)"}) {
        SCOPED_TRACE(body);
        auto res = login(body);
        expect_invalid_request(res);
        EXPECT_FALSE(has_detail(res, "code")) << res.body;
    }
}

TEST_F(JsonEndpoint, NonObjectRootIs400) {
    for (std::string_view body : {R"(["code"])", "42", R"("code")", "null", "true"}) {
        SCOPED_TRACE(body);
        expect_invalid_request(login(body));
    }
}

TEST_F(JsonEndpoint, InvalidUtf8Is400) {
    auto res = login("{\"code\":\"abc\xff\xfe\"}");
    expect_invalid_request(res);
    EXPECT_FALSE(has_detail(res, "code")) << res.body;
}

TEST_F(JsonEndpoint, Nesting32IsParsedAnd33Rejected) {
    auto ok = login(nested_with_empty_code(32));
    expect_invalid_request(ok);
    EXPECT_TRUE(has_detail(ok, "code")) << "32 levels must parse: " << ok.body;

    auto deep = login(nested_with_empty_code(33));
    expect_invalid_request(deep);
    EXPECT_FALSE(has_detail(deep, "code")) << "33 levels must be rejected by the parser: " << deep.body;
}

TEST_F(JsonEndpoint, UnknownFieldsAreIgnored) {
    auto res = login(R"({"code":"","surprise":{"a":[1,2,3]},"extra":"x"})");
    expect_invalid_request(res);
    EXPECT_TRUE(has_detail(res, "code")) << res.body;
    EXPECT_FALSE(has_detail(res, "surprise")) << res.body;
    EXPECT_FALSE(has_detail(res, "extra")) << res.body;

    // With a well-formed code the unknown fields change nothing: the code reaches WeChat, which
    // has never issued it.
    auto with_code = login(R"({"code":"test-code-unknown-fields","surprise":{"a":1}})");
    EXPECT_EQ(with_code.status, 401u) << with_code.body;
    EXPECT_EQ(with_code.error_code(), "wechat_code_invalid") << with_code.body;
}

TEST_F(JsonEndpoint, FieldErrorsCarryDetails) {
    struct Case {
        std::string_view body;
        std::string_view reason;
    };
    for (auto [body, reason] :
         {Case{R"({})", "missing"}, Case{R"({"code":null})", "missing"}, Case{R"({"code":""})", "empty"},
          Case{R"({"code":123})", "not_a_string"}, Case{R"({"code":["a"]})", "not_a_string"}}) {
        SCOPED_TRACE(body);
        auto res = login(body);
        expect_invalid_request(res);
        ASSERT_TRUE(has_detail(res, "code")) << res.body;
        auto const& details = res.json.at("error").at("details").as_array();
        ASSERT_EQ(details.size(), 1u) << res.body;
        EXPECT_EQ(details[0].at("reason").as_string(), reason) << res.body;
    }
}

TEST_F(JsonEndpoint, OverLongCodeIs400) {
    std::string body = R"({"code":")";  // appended: GCC 12 -O3 warns falsely about "literal" + string
    body.append(4096, 'c').append(R"("})");
    auto res = login(body);
    expect_invalid_request(res);
    EXPECT_TRUE(has_detail(res, "code")) << res.body;
}

TEST_F(JsonEndpoint, GetIs405WithAllowPost) {
    auto res = client_.get(kLogin);
    EXPECT_EQ(res.status, 405u);
    EXPECT_EQ(res.header("Allow"), "POST");
}

}  // namespace
}  // namespace wx::test
