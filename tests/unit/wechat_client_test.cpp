// The WeChat client's pure parts: request targets and bodies, reply parsing and errcodes.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <string>

#include "wechat/client.hpp"

namespace wx::wechat {
namespace {

namespace json = boost::json;

constexpr char const* kKey = "nzoqhc3OnwHzeTxJs+inbQ==";  // 16 bytes, from WeChat's docs

TEST(WeChatTargets, Jscode2sessionPercentEncodesPlusSlashAndEquals) {
    AppCredentials app{"wx123", "s3cr+t/="};
    EXPECT_EQ(jscode2session_target("", app, "0a1B+c/d=="),
              "/sns/jscode2session?appid=wx123&secret=s3cr%2Bt%2F%3D&js_code=0a1B%2Bc%2Fd%3D%3D"
              "&grant_type=authorization_code");
}

TEST(WeChatTargets, Jscode2sessionEncodesSeparatorsAndSpaces) {
    std::string target = jscode2session_target("", {"wx1", "s"}, "a b&c?d#e%f");
    EXPECT_NE(target.find("js_code=a%20b%26c%3Fd%23e%25f&"), std::string::npos) << target;
}

TEST(WeChatTargets, PrefixIsKept) {
    EXPECT_EQ(jscode2session_target("/wechat-sim", {"wx1", "s"}, "c"),
              "/wechat-sim/sns/jscode2session?appid=wx1&secret=s&js_code=c&grant_type=authorization_code");
    EXPECT_EQ(stable_token_target("/p"), "/p/cgi-bin/stable_token");
    EXPECT_EQ(phone_number_target("", "AT+/="), "/wxa/business/getuserphonenumber?access_token=AT%2B%2F%3D");
}

TEST(WeChatTargets, StableTokenBody) {
    auto v = json::parse(stable_token_body({"wx1", "sec\"ret"}, true));
    auto const& o = v.as_object();
    EXPECT_EQ(o.at("grant_type").as_string(), "client_credential");
    EXPECT_EQ(o.at("appid").as_string(), "wx1");
    EXPECT_EQ(o.at("secret").as_string(), "sec\"ret");
    EXPECT_EQ(o.at("force_refresh").as_bool(), true);
    EXPECT_EQ(json::parse(stable_token_body({"wx1", "s"}, false)).at("force_refresh").as_bool(), false);
    EXPECT_EQ(json::parse(phone_number_body("pc\\1")).at("code").as_string(), "pc\\1");
}

TEST(WeChatParse, SessionSuccess) {
    auto s = parse_session(std::string{R"({"session_key":")"} + kKey + R"(","openid":"oVBkZ0aYgDMDIywRdgPW8-joxXc4"})");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->openid, "oVBkZ0aYgDMDIywRdgPW8-joxXc4");
    EXPECT_EQ(s->session_key, kKey);
    EXPECT_FALSE(s->unionid);
}

TEST(WeChatParse, SessionWithErrcodeZeroAndUnionid) {
    auto s = parse_session(std::string{R"({"errcode":0,"errmsg":"ok","session_key":")"} + kKey +
                           R"(","openid":"o1","unionid":"u1","expires_in":7200})");
    ASSERT_TRUE(s);
    EXPECT_EQ(s->unionid, std::optional<std::string>{"u1"});
}

TEST(WeChatParse, SessionNullOrEmptyUnionidIsAbsent) {
    auto null_union = parse_session(std::string{R"({"session_key":")"} + kKey + R"(","openid":"o1","unionid":null})");
    ASSERT_TRUE(null_union);
    EXPECT_FALSE(null_union->unionid);
    auto empty = parse_session(std::string{R"({"session_key":")"} + kKey + R"(","openid":"o1","unionid":""})");
    ASSERT_TRUE(empty);
    EXPECT_FALSE(empty->unionid);
    EXPECT_EQ(parse_session(std::string{R"({"session_key":")"} + kKey + R"(","openid":"o1","unionid":7})").error(),
              Errc::bad_response);
}

TEST(WeChatParse, ErrcodesBecomeErrcodeErrors) {
    for (int code : {-1, 40029, 40163, 40226, 45011, 40013, 40125, 41002, 41004, 99999}) {
        std::string body = R"({"errcode":)" + std::to_string(code) + R"(,"errmsg":"x, rid: 1-2-3"})";
        auto s = parse_session(body);
        ASSERT_FALSE(s) << code;
        EXPECT_EQ(s.error(), errcode_error(code));
        EXPECT_EQ(s.error().category(), errcode_category());
        EXPECT_EQ(parse_access_token(body).error(), errcode_error(code));
        EXPECT_EQ(parse_phone_info(body).error(), errcode_error(code));
    }
}

TEST(WeChatParse, ErrcodeWinsOverSuccessFields) {
    auto s = parse_session(std::string{R"({"errcode":40029,"session_key":")"} + kKey + R"(","openid":"o1"})");
    EXPECT_EQ(s.error(), errcode_error(40029));
}

TEST(WeChatParse, UnusableRepliesAreBadResponses) {
    std::string const key = kKey;
    for (std::string body : {
             std::string{"<html>502 Bad Gateway</html>"},
             std::string{""},
             std::string{"[1,2]"},
             std::string{"\"text\""},
             std::string{R"({"errcode":"40029"})"},
             std::string{R"({"errcode":1.5})"},
             std::string{R"({"errcode":99999999999})"},
             R"({"session_key":")" + key + R"("})",
             R"({"session_key":")" + key + R"(","openid":""})",
             R"({"session_key":")" + key + R"(","openid":42})",
             R"({"session_key":")" + key + R"(","openid":"o 1"})",
             R"({"session_key":")" + key + R"(","openid":")" + std::string(129, 'o') + R"("})",
             std::string{R"({"openid":"o1"})"},
             std::string{R"({"openid":"o1","session_key":"c2hvcnQ="})"},  // 5 bytes
             std::string{R"({"openid":"o1","session_key":"not base64 at all"})"},
             std::string{R"({"openid":"o1","session_key":"nzoqhc3OnwHzeTxJs+inbQ"})"},  // no padding
             std::string{R"({"openid":"o1","session_key":123})"},
         }) {
        auto s = parse_session(body);
        ASSERT_FALSE(s) << body;
        EXPECT_EQ(s.error(), Errc::bad_response) << body;
        EXPECT_EQ(s.error().category(), transport_category());
    }
}

TEST(WeChatParse, AccessToken) {
    auto t = parse_access_token(R"({"access_token":"ACCESS_TOKEN","expires_in":7200})");
    ASSERT_TRUE(t);
    EXPECT_EQ(t->token, "ACCESS_TOKEN");
    EXPECT_EQ(t->expires_in, 7200);
    EXPECT_EQ(parse_access_token(R"({"access_token":"A","expires_in":345,"errcode":0})")->expires_in, 345);
    for (auto body : {R"({"access_token":"A"})", R"({"access_token":"A","expires_in":0})",
                      R"({"access_token":"A","expires_in":"7200"})", R"({"access_token":"","expires_in":7200})",
                      R"({"expires_in":7200})", "garbage"})
        EXPECT_EQ(parse_access_token(body).error(), Errc::bad_response) << body;
}

TEST(WeChatParse, PhoneInfoTakesCountryCodeAsStringOrNumber) {
    auto as_string = parse_phone_info(
        R"({"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"13800000000","purePhoneNumber":"13800000000",)"
        R"("countryCode":"86","watermark":{"timestamp":1637744274,"appid":"wx1"}}})");
    ASSERT_TRUE(as_string);
    EXPECT_EQ(as_string->phone_number, "13800000000");
    EXPECT_EQ(as_string->pure_phone_number, "13800000000");
    EXPECT_EQ(as_string->country_code, "86");

    auto as_number = parse_phone_info(
        R"({"errcode":0,"errmsg":"ok","phone_info":{"phoneNumber":"+15551234567","purePhoneNumber":"5551234567",)"
        R"("countryCode":1}})");
    ASSERT_TRUE(as_number);
    EXPECT_EQ(as_number->phone_number, "+15551234567");
    EXPECT_EQ(as_number->country_code, "1");
}

TEST(WeChatParse, PhoneInfoRejectsIncompleteReplies) {
    for (auto body : {
             R"({"errcode":0,"errmsg":"ok"})",
             R"({"phone_info":"13800000000"})",
             R"({"phone_info":{"phoneNumber":"1","purePhoneNumber":"1"}})",
             R"({"phone_info":{"phoneNumber":"1","purePhoneNumber":"1","countryCode":86.5}})",
             R"({"phone_info":{"phoneNumber":"1","purePhoneNumber":"1","countryCode":-86}})",
             R"({"phone_info":{"phoneNumber":"","purePhoneNumber":"1","countryCode":"86"}})",
             R"({"phone_info":{"purePhoneNumber":"1","countryCode":"86"}})",
         })
        EXPECT_EQ(parse_phone_info(body).error(), Errc::bad_response) << body;
}

TEST(WeChatParse, RidIsTakenFromErrmsg) {
    EXPECT_EQ(rid_of("invalid code, rid: 6497c612-1a2b3c4d-5e6f7a8b"), "6497c612-1a2b3c4d-5e6f7a8b");
    EXPECT_EQ(rid_of("invalid code, hints: [ req_id: abc ] rid: 64a-b"), "64a-b");
    EXPECT_EQ(rid_of("rid: abc\"><script>"), "abc");
    EXPECT_EQ(rid_of("no request id"), "");
}

TEST(WeChatClient, ConstructorValidatesTheApiBase) {
    std::chrono::milliseconds const t{1000};
    EXPECT_NO_THROW(Client("https://api.weixin.qq.com", t));
    EXPECT_NO_THROW(Client("http://127.0.0.1:9090/wechat-sim/", t));
    EXPECT_NO_THROW(Client("http://[::1]:9090", t));
    EXPECT_THROW(Client("ftp://api.weixin.qq.com", t), std::invalid_argument);
    EXPECT_THROW(Client("api.weixin.qq.com", t), std::invalid_argument);
    EXPECT_THROW(Client("https://api.weixin.qq.com?x=1", t), std::invalid_argument);
    EXPECT_THROW(Client("https://user:pw@api.weixin.qq.com", t), std::invalid_argument);
    EXPECT_THROW(Client("https://api.weixin.qq.com", std::chrono::milliseconds{0}), std::invalid_argument);
}

}  // namespace
}  // namespace wx::wechat
