// Masking helpers: what survives of a secret, token, phone number, e-mail, openid or URL.
#include "obs/mask.hpp"

#include <gtest/gtest.h>

#include <string>

namespace wx::obs {
namespace {

TEST(MaskSecret, HidesEverything) {
    EXPECT_EQ(mask_secret("0123456789abcdef0123456789abcdef"), "***");
    EXPECT_EQ(mask_secret("x"), "***");
    EXPECT_EQ(mask_secret(""), "");
    std::string const secret = "s3cr3t-app-secret";
    EXPECT_EQ(mask_secret(secret).find("s3c"), std::string::npos);
}

TEST(MaskToken, KeepsAtMostFourCharactersAndTheLength) {
    std::string const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI0MiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ";
    std::string masked = mask_token(jwt);
    EXPECT_EQ(masked.rfind("eyJh", 0), 0u) << masked;
    EXPECT_EQ(masked.find("eyJhb"), std::string::npos) << masked;
    EXPECT_NE(masked.find(std::to_string(jwt.size())), std::string::npos) << masked;
    EXPECT_EQ(masked.find("c2ln"), std::string::npos) << masked;
}

TEST(MaskToken, ShortTokensRevealProportionallyLess) {
    // Never more than a quarter of the token, so a short token is not given away.
    EXPECT_EQ(mask_token("abcdefgh").substr(0, 3), "ab.");
    std::string tiny = mask_token("abc");
    EXPECT_EQ(tiny.find_first_of("abc"), std::string::npos) << tiny;
    EXPECT_EQ(mask_token(""), "");
}

TEST(MaskToken, TwoTokensStayDistinguishable) {
    EXPECT_NE(mask_token("AAAAbbbbccccdddd"), mask_token("BBBBbbbbccccdddd"));
}

TEST(MaskPhone, PlainElevenDigitNumberKeepsThreeAndFour) { EXPECT_EQ(mask_phone("13812345678"), "138****5678"); }

TEST(MaskPhone, InternationalNumberKeepsCountryCodeThreeAndFour) {
    // The example documented in src/obs/mask.hpp.
    EXPECT_EQ(mask_phone("+8613812345678"), "+86138****5678");
}

TEST(MaskPhone, ShortNumbersRevealLittle) {
    std::string masked = mask_phone("12345");
    EXPECT_EQ(masked.size(), 5u);
    EXPECT_EQ(masked.substr(0, 3), "***") << masked;
    EXPECT_EQ(mask_phone(""), "");
}

TEST(MaskPhone, NonDigitsAreKept) { EXPECT_EQ(mask_phone("138-1234-5678"), "138-****-5678"); }

TEST(MaskEmail, KeepsFirstCharacterAndDomain) {
    EXPECT_EQ(mask_email("alice@example.com"), "a***@example.com");
    EXPECT_EQ(mask_email("a@example.com"), "a***@example.com");
    EXPECT_EQ(mask_email("@example.com"), "***@example.com");
}

TEST(MaskEmail, NotAnAddressIsHiddenEntirely) {
    EXPECT_EQ(mask_email("alice"), "***");
    EXPECT_EQ(mask_email(""), "");
}

TEST(MaskOpenid, KeepsSixCharacters) {
    EXPECT_EQ(mask_openid("o6_bmjrPTlm6_2sgVt7hMZOPfL2M"), "o6_bmj***");
    EXPECT_EQ(mask_openid("abc"), "***");
    EXPECT_EQ(mask_openid("abcdef"), "******");
}

TEST(MaskUrl, HidesCredentialParametersAndKeepsTheRest) {
    std::string const url =
        "https://api.weixin.qq.com/sns/jscode2session?appid=wx1234&secret=TOPSECRET&js_code=CODE123"
        "&grant_type=authorization_code";
    EXPECT_EQ(mask_url(url),
              "https://api.weixin.qq.com/sns/jscode2session?appid=wx1234&secret=***&js_code=***"
              "&grant_type=authorization_code");
}

TEST(MaskUrl, HidesAccessTokenAndOtherCredentials) {
    std::string masked = mask_url(
        "https://api.weixin.qq.com/wxa/business/getuserphonenumber?access_token=ACCESS&code=PHONECODE&x=1"
        "&refresh_token=R&password=P&session_key=K");
    EXPECT_EQ(masked,
              "https://api.weixin.qq.com/wxa/business/getuserphonenumber?access_token=***&code=***&x=1"
              "&refresh_token=***&password=***&session_key=***");
    for (std::string_view leaked : {"ACCESS", "PHONECODE", "=R", "=P", "=K"})
        EXPECT_EQ(masked.find(leaked), std::string::npos) << leaked;
}

TEST(MaskUrl, WithoutQueryOrCredentialsIsUnchanged) {
    EXPECT_EQ(mask_url("https://api.weixin.qq.com/cgi-bin/stable_token"),
              "https://api.weixin.qq.com/cgi-bin/stable_token");
    EXPECT_EQ(mask_url("https://x/y?a=1&b=2&flag"), "https://x/y?a=1&b=2&flag");
    EXPECT_EQ(mask_url("https://x/y?secret="), "https://x/y?secret=***");
}

TEST(MaskUrl, ParameterNamesMatchExactly) {
    // "secretive" and "appsecret" are not "secret"; "secret" anywhere else in the URL is not a value.
    EXPECT_EQ(mask_url("https://x/secret?secretive=1&appsecret=2"), "https://x/secret?secretive=1&appsecret=2");
}

}  // namespace
}  // namespace wx::obs
