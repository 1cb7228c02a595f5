// JSON request bodies: Content-Type, syntax, UTF-8, nesting, root type, and FieldReader checks.
#include "http/json_body.hpp"

#include <gtest/gtest.h>

#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <optional>
#include <string>

namespace wx::http {
namespace {

Request json_request(std::string body, std::optional<std::string> content_type = "application/json") {
    Request req{verb::post, "/api/v1/auth/wechat/login", 11};
    if (content_type) req.set(bhttp::field::content_type, *content_type);
    req.body() = std::move(body);
    req.prepare_payload();
    return req;
}

// The body nested `depth` levels deep, counting the root object as level 1.
std::string nested(unsigned depth) {
    std::string s = R"({"code":"x","deep":)";
    for (unsigned i = 1; i < depth; ++i) s += '[';
    for (unsigned i = 1; i < depth; ++i) s += ']';
    if (depth == 1) s += "0";
    s += '}';
    return s;
}

std::string_view error_of(Request const& req) {
    auto r = parse_json_object(req);
    EXPECT_TRUE(r.has_error()) << req.body();
    return r.has_error() ? r.error().code : "<none>";
}

TEST(JsonContentType, AcceptsApplicationJsonWithParametersAndAnyCase) {
    EXPECT_TRUE(is_json_content_type("application/json"));
    EXPECT_TRUE(is_json_content_type("application/json; charset=utf-8"));
    EXPECT_TRUE(is_json_content_type("application/json;charset=UTF-8"));
    EXPECT_TRUE(is_json_content_type("APPLICATION/JSON"));
    EXPECT_TRUE(is_json_content_type("Application/Json ; charset=utf-8"));
    EXPECT_TRUE(is_json_content_type(" application/json "));
}

TEST(JsonContentType, RejectsEverythingElse) {
    EXPECT_FALSE(is_json_content_type("text/plain"));
    EXPECT_FALSE(is_json_content_type("text/json"));
    EXPECT_FALSE(is_json_content_type("application/jsonx"));
    EXPECT_FALSE(is_json_content_type("application/json-patch+json"));
    EXPECT_FALSE(is_json_content_type("application/x-www-form-urlencoded"));
    EXPECT_FALSE(is_json_content_type("multipart/form-data; boundary=x"));
    EXPECT_FALSE(is_json_content_type(""));
    EXPECT_FALSE(is_json_content_type("application/"));
}

TEST(JsonContentType, AcceptsOnlyAUtf8Charset) {
    EXPECT_TRUE(is_json_content_type("application/json; charset=\"utf-8\""));
    EXPECT_TRUE(is_json_content_type("application/json; boundary=x; charset=Utf-8"));
    for (std::string_view ct : {"application/json; charset=utf-16", "application/json; charset=iso-8859-1",
                                "application/json;charset=utf-8;charset=latin1", "application/json; charset=",
                                "application/json; CHARSET=utf-32", "application/json; charset=utf8x"})
        EXPECT_FALSE(is_json_content_type(ct)) << ct;
}

TEST(ParseJsonObject, ForeignCharsetIs415) {
    EXPECT_EQ(error_of(json_request(R"({"a":1})", "application/json; charset=utf-16")), "unsupported_media_type");
    EXPECT_EQ(error_of(json_request(R"({"a":1})", "application/json; charset=iso-8859-1")), "unsupported_media_type");
}

TEST(ParseJsonObject, DuplicateKeysAre400NamingTheKey) {
    struct Case {
        std::string body;
        std::string key;
    };
    for (auto const& [body, key] : std::vector<Case>{{R"({"code":"a","code":"b"})", "code"},
                                                     {R"({"a":1,"b":2,"a":3})", "a"},
                                                     {R"({"outer":{"x":1,"x":1}})", "x"},
                                                     {R"({"list":[{"y":1},{"y":2,"y":3}]})", "y"},
                                                     {R"({"\u0063ode":"a","code":"b"})", "code"}}) {
        auto r = parse_json_object(json_request(body));
        ASSERT_TRUE(r.has_error()) << body;
        EXPECT_EQ(r.error().code, "invalid_request") << body;
        ASSERT_EQ(r.error().details.size(), 1u) << body;
        EXPECT_EQ(r.error().details[0].field, key) << body;
        EXPECT_EQ(r.error().details[0].reason, "duplicate_key") << body;
    }
    // The same key in sibling objects is no duplicate.
    EXPECT_TRUE(parse_json_object(json_request(R"({"a":{"k":1},"b":{"k":2},"k":3})")).has_value());
}

TEST(ParseJsonObject, AcceptsAnObjectWithCharsetParameter) {
    auto r = parse_json_object(json_request(R"({"code":"abc"})", "application/json; charset=utf-8"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->at("code").as_string(), "abc");
}

TEST(ParseJsonObject, AcceptsUpperCaseContentType) {
    EXPECT_TRUE(parse_json_object(json_request(R"({"a":1})", "APPLICATION/JSON")).has_value());
}

TEST(ParseJsonObject, WrongContentTypeIs415) {
    EXPECT_EQ(error_of(json_request(R"({"a":1})", "text/plain")), "unsupported_media_type");
    EXPECT_EQ(error_of(json_request(R"({"a":1})", "application/x-www-form-urlencoded")), "unsupported_media_type");
    auto r415 = parse_json_object(json_request(R"({"a":1})", "text/plain"));
    ASSERT_TRUE(r415.has_error());
    EXPECT_EQ(r415.error().http_status, status::unsupported_media_type);
}

TEST(ParseJsonObject, MissingContentTypeWithABodyIs415) {
    EXPECT_EQ(error_of(json_request(R"({"a":1})", std::nullopt)), "unsupported_media_type");
}

TEST(ParseJsonObject, EmptyBodyIs400) {
    EXPECT_EQ(error_of(json_request("")), "invalid_request");
    EXPECT_EQ(error_of(json_request("", std::nullopt)), "invalid_request");
}

TEST(ParseJsonObject, MalformedJsonIs400) {
    for (std::string body : {R"({"code": "ab)", R"({"code": )", "{", R"({"a":1} trailing)", "{}{}", R"({'a':1})",
                             R"({"a":1,})", "   ", R"({"a":01})", "nul"}) {
        EXPECT_EQ(error_of(json_request(body)), "invalid_request") << body;
    }
}

TEST(ParseJsonObject, NonObjectRootIs400) {
    for (std::string body : {"[]", R"([{"code":"x"}])", "42", "-1.5", R"("code")", "true", "null"}) {
        auto r = parse_json_object(json_request(body));
        ASSERT_TRUE(r.has_error()) << body;
        EXPECT_EQ(r.error().code, "invalid_request") << body;
        EXPECT_NE(r.error().message.find("object"), std::string::npos) << r.error().message;
    }
}

TEST(ParseJsonObject, InvalidUtf8InAStringIs400) {
    std::string const bodies[] = {
        "{\"code\":\"\xff\xfe\"}",          // bytes that never occur in UTF-8
        "{\"code\":\"abc\xc3\"}",           // truncated two-byte sequence
        "{\"code\":\"\xc0\xaf\"}",          // overlong encoding of '/'
        "{\"code\":\"\x80\"}",              // lone continuation byte
        "{\"code\":\"\xf4\x90\x80\x80\"}",  // beyond U+10FFFF
        "{\"\xff\":\"x\"}",                 // in a key
    };
    for (auto const& body : bodies) EXPECT_EQ(error_of(json_request(body)), "invalid_request") << body;
}

TEST(ParseJsonObject, Utf8EncodedSurrogateIs400) {
    // U+D800 encoded directly in UTF-8 (ED A0 80) is not valid UTF-8 (RFC 3629 §3).
    EXPECT_EQ(error_of(json_request("{\"code\":\"\xed\xa0\x80\"}")), "invalid_request");
}

TEST(ParseJsonObject, ValidUnicodeIsAccepted) {
    auto r = parse_json_object(json_request("{\"nickname\":\"\xe5\xbe\xae\xe4\xbf\xa1 \xf0\x9f\x98\x80\"}"));
    ASSERT_TRUE(r.has_value());
    auto escaped = parse_json_object(json_request(R"({"nickname":"\u5fae\ud83d\ude00"})"));
    ASSERT_TRUE(escaped.has_value());
}

TEST(ParseJsonObject, Nesting32IsAcceptedAnd33Rejected) {
    EXPECT_TRUE(parse_json_object(json_request(nested(1))).has_value());
    EXPECT_TRUE(parse_json_object(json_request(nested(31))).has_value());
    EXPECT_TRUE(parse_json_object(json_request(nested(32))).has_value());
    auto r = parse_json_object(json_request(nested(33)));
    ASSERT_TRUE(r.has_error());
    EXPECT_EQ(r.error().code, "invalid_request");
    EXPECT_NE(r.error().message.find("32"), std::string::npos) << r.error().message;
    EXPECT_TRUE(parse_json_object(json_request(nested(200))).has_error());
}

TEST(ParseJsonObject, UnknownFieldsAreKept) {
    auto r = parse_json_object(json_request(R"({"code":"x","unknown":{"a":[1,2]},"other":null})"));
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->size(), 3u);
}

TEST(Utf8Length, CountsCodePoints) {
    EXPECT_EQ(utf8_length(""), 0u);
    EXPECT_EQ(utf8_length("abc"), 3u);
    EXPECT_EQ(utf8_length("\xc3\xa9"), 1u);                  // é
    EXPECT_EQ(utf8_length("\xe5\xbe\xae\xe4\xbf\xa1"), 2u);  // 微信
    EXPECT_EQ(utf8_length("\xf0\x9f\x98\x80"), 1u);          // 😀
    EXPECT_EQ(utf8_length("a\xf0\x9f\x98\x80z\xc3\xa9"), 4u);
}

class FieldReaderTest : public ::testing::Test {
protected:
    boost::json::object parse(std::string_view s) { return boost::json::parse(s).as_object(); }
};

TEST_F(FieldReaderTest, ReadsAValidString) {
    auto obj = parse(R"({"code":"abc"})");
    FieldReader f{obj};
    EXPECT_EQ(f.required_string("code", {.min = 1, .max = 128}), "abc");
    EXPECT_TRUE(f.ok());
}

TEST_F(FieldReaderTest, MissingRequiredField) {
    auto obj = parse(R"({"other":"abc"})");
    FieldReader f{obj};
    EXPECT_EQ(f.required_string("code", {.min = 1, .max = 128}), std::nullopt);
    ASSERT_FALSE(f.ok());
    auto e = f.error();
    EXPECT_EQ(e.code, "invalid_request");
    EXPECT_EQ(e.http_status, status::bad_request);
    ASSERT_EQ(e.details.size(), 1u);
    EXPECT_EQ(e.details[0].field, "code");
    EXPECT_EQ(e.details[0].reason, "missing");
}

TEST_F(FieldReaderTest, NullCountsAsMissing) {
    auto obj = parse(R"({"code":null})");
    FieldReader f{obj};
    EXPECT_EQ(f.required_string("code", {.min = 1, .max = 128}), std::nullopt);
    ASSERT_EQ(f.error().details.size(), 1u);
    EXPECT_EQ(f.error().details[0].reason, "missing");
}

TEST_F(FieldReaderTest, OptionalFieldMayBeAbsent) {
    auto obj = parse(R"({"code":"x"})");
    FieldReader f{obj};
    EXPECT_EQ(f.optional_string("app_id", {.min = 1, .max = 64}), std::nullopt);
    EXPECT_TRUE(f.ok());
}

TEST_F(FieldReaderTest, OptionalFieldThatIsPresentIsStillChecked) {
    auto obj = parse(R"({"app_id":"","iv":7})");
    FieldReader f{obj};
    EXPECT_EQ(f.optional_string("app_id", {.min = 1, .max = 64}), std::nullopt);
    EXPECT_EQ(f.optional_string("iv", {.min = 1, .max = 64}), std::nullopt);
    auto e = f.error();
    ASSERT_EQ(e.details.size(), 2u);
    EXPECT_EQ(e.details[0].field, "app_id");
    EXPECT_EQ(e.details[0].reason, "empty");
    EXPECT_EQ(e.details[1].field, "iv");
    EXPECT_EQ(e.details[1].reason, "not_a_string");
}

TEST_F(FieldReaderTest, NotAString) {
    for (std::string_view body :
         {R"({"code":1})", R"({"code":true})", R"({"code":["a"]})", R"({"code":{"a":"b"}})", R"({"code":1.5})"}) {
        auto obj = parse(body);
        FieldReader f{obj};
        EXPECT_EQ(f.required_string("code", {.min = 1, .max = 128}), std::nullopt) << body;
        ASSERT_EQ(f.error().details.size(), 1u) << body;
        EXPECT_EQ(f.error().details[0].reason, "not_a_string") << body;
    }
}

TEST_F(FieldReaderTest, EmptyString) {
    auto obj = parse(R"({"code":""})");
    FieldReader f{obj};
    EXPECT_EQ(f.required_string("code", {.min = 1, .max = 128}), std::nullopt);
    ASSERT_EQ(f.error().details.size(), 1u);
    EXPECT_EQ(f.error().details[0].reason, "empty");
}

TEST_F(FieldReaderTest, EmptyStringIsFineWhenNoMinimum) {
    auto obj = parse(R"({"nickname":""})");
    FieldReader f{obj};
    EXPECT_EQ(f.optional_string("nickname", {.max = 64}), "");
    EXPECT_TRUE(f.ok());
}

TEST_F(FieldReaderTest, TooShortAndTooLong) {
    auto obj = parse(R"({"password":"short","username":"abcdefghij"})");
    FieldReader f{obj};
    EXPECT_EQ(f.required_string("password", {.min = 8, .max = 128}), std::nullopt);
    EXPECT_EQ(f.required_string("username", {.min = 3, .max = 9}), std::nullopt);
    auto e = f.error();
    ASSERT_EQ(e.details.size(), 2u);  // every problem is collected, in reading order
    EXPECT_EQ(e.details[0].field, "password");
    EXPECT_EQ(e.details[0].reason, "too_short");
    EXPECT_EQ(e.details[1].field, "username");
    EXPECT_EQ(e.details[1].reason, "too_long");
}

TEST_F(FieldReaderTest, BoundsAreInclusive) {
    auto obj = parse(R"({"a":"abc","b":"abcdefgh"})");
    FieldReader f{obj};
    EXPECT_EQ(f.required_string("a", {.min = 3, .max = 3}), "abc");
    EXPECT_EQ(f.required_string("b", {.min = 8, .max = 8}), "abcdefgh");
    EXPECT_TRUE(f.ok());
}

TEST_F(FieldReaderTest, LengthCountsCodePointsNotBytes) {
    // 8 code points of 3 bytes each (24 bytes): long enough for min 8, short enough for max 8.
    std::string eight_cjk;
    for (int i = 0; i < 8; ++i) eight_cjk += "\xe5\xbe\xae";
    auto obj = parse("{\"password\":\"" + eight_cjk + "\",\"emoji\":\"\xf0\x9f\x98\x80\xf0\x9f\x98\x80\"}");
    FieldReader f{obj};
    EXPECT_EQ(f.required_string("password", {.min = 8, .max = 8}), eight_cjk);
    EXPECT_EQ(f.required_string("emoji", {.min = 2, .max = 2}).value_or(""), "\xf0\x9f\x98\x80\xf0\x9f\x98\x80");
    EXPECT_TRUE(f.ok());
    EXPECT_EQ(f.required_string("emoji", {.min = 3, .max = 10}), std::nullopt);
    EXPECT_EQ(f.error().details.back().reason, "too_short");
}

TEST_F(FieldReaderTest, UnknownFieldsAreIgnored) {
    auto obj = parse(R"({"code":"abc","app_id":"wx1","surprise":{"nested":[1,2,3]},"x":null})");
    FieldReader f{obj};
    EXPECT_EQ(f.required_string("code", {.min = 1, .max = 128}), "abc");
    EXPECT_EQ(f.optional_string("app_id", {.min = 1, .max = 64}), "wx1");
    EXPECT_TRUE(f.ok());
}

TEST_F(FieldReaderTest, FailAddsACustomDetail) {
    auto obj = parse(R"({})");
    FieldReader f{obj};
    f.fail("email", "invalid_format");
    auto e = f.error();
    EXPECT_EQ(e.code, "invalid_request");
    ASSERT_EQ(e.details.size(), 1u);
    EXPECT_EQ(e.details[0].field, "email");
    EXPECT_EQ(e.details[0].reason, "invalid_format");
}

}  // namespace
}  // namespace wx::http
