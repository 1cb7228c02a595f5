// Access-token signing and verification: every way a token must be refused.
#include <gtest/gtest.h>
#include <sodium.h>

#include "auth/encoding.hpp"
#include "auth/jwt.hpp"
#include "core/clock.hpp"

namespace wx::auth {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

std::string b64(std::string_view s) {
    return base64url_encode({reinterpret_cast<unsigned char const*>(s.data()), s.size()});
}

class JwtTest : public ::testing::Test {
protected:
    TestClock clock_{kNow};
    JwtSettings settings_{"wxlogin", "", 30};
    JwtCodec codec_{std::string(40, 's'), settings_, clock_};

    Claims claims() const {
        Claims c;
        c.sub = "42";
        c.sid = "sid-1";
        c.jti = "jti-1";
        c.role = "user";
        c.iat = kNow;
        c.exp = kNow + 3600;
        return c;
    }
    // Replaces one of the three segments of a valid token.
    std::string with_segment(int index, std::string const& value) const {
        std::string t = codec_.sign(claims());
        auto d1 = t.find('.');
        auto d2 = t.find('.', d1 + 1);
        std::string parts[3] = {t.substr(0, d1), t.substr(d1 + 1, d2 - d1 - 1), t.substr(d2 + 1)};
        parts[index] = value;
        return parts[0] + "." + parts[1] + "." + parts[2];
    }
};

TEST_F(JwtTest, SignedTokenVerifiesWithItsClaims) {
    auto c = codec_.verify(codec_.sign(claims()));
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->sub, "42");
    EXPECT_EQ(c->sid, "sid-1");
    EXPECT_EQ(c->jti, "jti-1");
    EXPECT_EQ(c->role, "user");
    EXPECT_EQ(c->exp, kNow + 3600);
}

TEST_F(JwtTest, PayloadCarriesExactlyTheDocumentedClaims) {
    std::string t = codec_.sign(claims());
    auto d1 = t.find('.');
    auto payload = base64url_decode(t.substr(d1 + 1, t.find('.', d1 + 1) - d1 - 1));
    ASSERT_TRUE(payload);
    EXPECT_EQ(
        *payload,
        R"({"iss":"wxlogin","sub":"42","iat":1800000000,"exp":1800003600,"jti":"jti-1","sid":"sid-1","role":"user"})");
}

TEST_F(JwtTest, AudienceIsIssuedAndRequiredWhenConfigured) {
    JwtCodec with_aud{std::string(40, 's'), JwtSettings{"wxlogin", "mini", 30}, clock_};
    auto c = with_aud.verify(with_aud.sign(claims()));
    EXPECT_TRUE(c);
    // A token without aud (same key and issuer) is refused by a server that requires one.
    EXPECT_EQ(with_aud.verify(codec_.sign(claims())).error(), JwtErrc::wrong_audience);
}

TEST_F(JwtTest, TamperedPayloadIsRefused) {
    std::string forged =
        b64(R"({"iss":"wxlogin","sub":"1","iat":1800000000,"exp":1800003600,"jti":"j","sid":"s","role":"admin"})");
    EXPECT_EQ(codec_.verify(with_segment(1, forged)).error(), JwtErrc::bad_signature);
}

TEST_F(JwtTest, TamperedSignatureIsRefused) {
    std::string t = codec_.sign(claims());
    t.back() = t.back() == 'A' ? 'B' : 'A';
    EXPECT_EQ(codec_.verify(t).error(), JwtErrc::bad_signature);
}

TEST_F(JwtTest, AlgNoneIsRefused) {
    std::string t = with_segment(0, b64(R"({"alg":"none","typ":"JWT"})"));
    t = t.substr(0, t.rfind('.') + 1);  // no signature at all
    EXPECT_EQ(codec_.verify(t).error(), JwtErrc::bad_algorithm);
}

TEST_F(JwtTest, OtherAlgorithmsAreRefused) {
    for (auto header :
         {R"({"alg":"HS512","typ":"JWT"})", R"({"alg":"RS256","typ":"JWT"})", R"({"alg":"EdDSA","typ":"JWT"})",
          R"({"alg":"HS256","typ":"JWT","kid":"x"})", R"({"alg":"HS256"})"})
        EXPECT_EQ(codec_.verify(with_segment(0, b64(header))).error(), JwtErrc::bad_algorithm) << header;
}

TEST_F(JwtTest, TokenSignedWithAnotherSecretIsRefused) {
    JwtCodec other{std::string(40, 't'), settings_, clock_};
    EXPECT_EQ(codec_.verify(other.sign(claims())).error(), JwtErrc::bad_signature);
}

TEST_F(JwtTest, ExpiredTokenIsRefusedExactlyAtExp) {
    std::string t = codec_.sign(claims());
    clock_.set(kNow + 3599);
    EXPECT_TRUE(codec_.verify(t));
    clock_.set(kNow + 3600);
    EXPECT_EQ(codec_.verify(t).error(), JwtErrc::expired);
}

TEST_F(JwtTest, FutureIatBeyondLeewayIsRefused) {
    auto c = claims();
    c.iat = kNow + 30;
    c.exp = kNow + 4000;
    EXPECT_TRUE(codec_.verify(codec_.sign(c)));
    c.iat = kNow + 31;
    EXPECT_EQ(codec_.verify(codec_.sign(c)).error(), JwtErrc::not_yet_valid);
}

// A token with exactly this payload, signed with the fixture's HS256 key: for claims that
// JwtCodec::sign() would never write.
std::string sign_raw(std::string const& payload_json) {
    std::string input = b64(R"({"alg":"HS256","typ":"JWT"})") + "." + b64(payload_json);
    std::string key(40, 's');
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, reinterpret_cast<unsigned char const*>(key.data()), key.size());
    crypto_auth_hmacsha256_update(&st, reinterpret_cast<unsigned char const*>(input.data()), input.size());
    crypto_auth_hmacsha256_final(&st, mac);
    return input + "." + base64url_encode(mac);
}

TEST_F(JwtTest, FutureNbfBeyondLeewayIsRefused) {
    // wxlogin never issues nbf, but a token carrying one (signed with the shared key by another
    // issuer) must still honour it.
    auto token_with_nbf = [&](std::int64_t nbf) {
        return sign_raw(R"({"iss":"wxlogin","sub":"42","iat":1800000000,"nbf":)" + std::to_string(nbf) +
                        R"(,"exp":1800003600,"jti":"j","sid":"s","role":"user"})");
    };
    EXPECT_TRUE(codec_.verify(token_with_nbf(kNow + 30)));
    EXPECT_EQ(codec_.verify(token_with_nbf(kNow + 31)).error(), JwtErrc::not_yet_valid);
}

// A token verified once is answered from this thread's VerifiedTokens the next time: the answers
// must be the ones a full verification gives, at every time.
TEST_F(JwtTest, ARepeatedTokenKeepsItsClaimsAndItsTimeWindow) {
    auto c = claims();
    c.iat = kNow + 20;  // within the leeway now
    std::string t = codec_.sign(c);
    ASSERT_TRUE(codec_.verify(t));
    auto again = codec_.verify(t);
    ASSERT_TRUE(again);
    EXPECT_EQ(again->sub, "42");
    EXPECT_EQ(again->sid, "sid-1");
    EXPECT_EQ(again->jti, "jti-1");
    EXPECT_EQ(again->role, "user");
    EXPECT_EQ(again->iat, kNow + 20);
    EXPECT_EQ(again->exp, kNow + 3600);
    clock_.set(kNow - 11);  // the clock stepped back: iat is now beyond the leeway
    EXPECT_EQ(codec_.verify(t).error(), JwtErrc::not_yet_valid);
    clock_.set(kNow + 3600);
    EXPECT_EQ(codec_.verify(t).error(), JwtErrc::expired);
}

TEST_F(JwtTest, ARepeatedTokenKeepsItsNbf) {
    std::string t = sign_raw(R"({"iss":"wxlogin","sub":"42","iat":1800000000,"nbf":1800000030,)"
                             R"("exp":1800003600,"jti":"j","sid":"s","role":"user"})");
    ASSERT_TRUE(codec_.verify(t));
    ASSERT_TRUE(codec_.verify(t));
    clock_.set(kNow - 1);
    EXPECT_EQ(codec_.verify(t).error(), JwtErrc::not_yet_valid);
}

TEST_F(JwtTest, ARepeatedTokenWithTheEarliestIatIsValidFromTheBeginningOfTime) {
    // The fuzzer's find: iat = INT64_MIN minus the leeway overflowed when the token was kept.
    std::string t = sign_raw(R"({"iss":"wxlogin","sub":"42","iat":-9223372036854775808,)"
                             R"("exp":1800003600,"jti":"j","sid":"s","role":"user"})");
    ASSERT_TRUE(codec_.verify(t));
    EXPECT_TRUE(codec_.verify(t));
}

TEST_F(JwtTest, AVerifiedTokenVouchesForNoOtherTokenNorForAnotherCodec) {
    std::string t = codec_.sign(claims());
    ASSERT_TRUE(codec_.verify(t));
    // Same length, same slot (the last bytes), one signature character changed further in.
    std::string forged = t;
    auto& ch = forged[forged.size() - 12];
    ch = ch == 'A' ? 'B' : 'A';
    EXPECT_EQ(codec_.verify(forged).error(), JwtErrc::bad_signature);
    EXPECT_EQ(codec_.verify(t + "A").error(), JwtErrc::bad_signature);
    // A codec with another secret has not verified t, whatever this thread remembers.
    JwtCodec other{std::string(40, 't'), settings_, clock_};
    EXPECT_EQ(other.verify(t).error(), JwtErrc::bad_signature);
    EXPECT_TRUE(codec_.verify(t));
}

TEST_F(JwtTest, NumericDatesMustBeInt64Integers) {
    // Each claim in turn gets a value of another JSON type or out of int64's range; the others
    // stay valid. A reader that skipped such an nbf would accept the token before its time.
    std::string const valid = "1800000000";
    for (std::string_view claim : {"iat", "exp", "nbf"}) {
        for (std::string_view bad : {R"("1800000000")", "1800000000.0", "1.8e9", "true", "null", "[1]", "{}",
                                     "9223372036854775808", "18446744073709551616", "-9223372036854775809"}) {
            std::string iat = claim == "iat" ? std::string{bad} : valid;
            std::string exp = claim == "exp" ? std::string{bad} : "1800003600";
            std::string nbf = claim == "nbf" ? std::string{bad} : valid;
            auto token = sign_raw(R"({"iss":"wxlogin","sub":"42","iat":)" + iat + R"(,"nbf":)" + nbf + R"(,"exp":)" +
                                  exp + R"(,"jti":"j","sid":"s","role":"user"})");
            auto verified = codec_.verify(token);
            ASSERT_TRUE(verified.has_error()) << claim << "=" << bad;
            EXPECT_EQ(verified.error(), JwtErrc::malformed) << claim << "=" << bad;
        }
    }
    // The same template with every date valid is accepted: the loop above failed for its values.
    EXPECT_TRUE(codec_.verify(sign_raw(R"({"iss":"wxlogin","sub":"42","iat":1800000000,"nbf":1800000000,)"
                                       R"("exp":1800003600,"jti":"j","sid":"s","role":"user"})")));
}

TEST_F(JwtTest, WrongIssuerIsRefused) {
    JwtCodec other_issuer{std::string(40, 's'), JwtSettings{"someone-else", "", 30}, clock_};
    EXPECT_EQ(codec_.verify(other_issuer.sign(claims())).error(), JwtErrc::wrong_issuer);
}

TEST_F(JwtTest, GarbageIsMalformed) {
    for (std::string_view t : {"", "abc", "a.b", "a.b.c.d", "...", "!!!.###.$$$"})
        EXPECT_TRUE(codec_.verify(t).has_error()) << t;
    EXPECT_EQ(codec_.verify("a.b").error(), JwtErrc::malformed);
}

TEST(Base64Url, RoundTripsAndRejectsNonCanonicalText) {
    std::vector<std::string> const samples = {"",     "f",     "fo",     "foo",
                                              "foob", "fooba", "foobar", std::string("\xff\xfe\x00\x01", 4)};
    for (auto const& s : samples) {
        auto enc = b64(s);
        EXPECT_EQ(enc.find('='), std::string::npos);
        auto dec = base64url_decode(enc);
        ASSERT_TRUE(dec) << enc;
        EXPECT_EQ(*dec, s);
    }
    EXPECT_FALSE(base64url_decode("Zm9v+"));  // '+' is not in the URL alphabet
    EXPECT_FALSE(base64url_decode("Zg=="));   // no padding
    EXPECT_FALSE(base64url_decode("Zh"));     // non-zero spare bits
    EXPECT_FALSE(base64url_decode("Z"));
}

}  // namespace
}  // namespace wx::auth
