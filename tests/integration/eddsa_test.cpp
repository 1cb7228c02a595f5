// EdDSA access tokens end to end: an Ed25519 key file switches the App to EdDSA with `kid`,
// /.well-known/jwks.json publishes the keys, a standard library (PyJWT) verifies our tokens with
// it, an HS256 token is refused (algorithm confusion), and a rotated-out key keeps verifying.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "auth/encoding.hpp"
#include "auth/hmac_sha256.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr char const* kJwks = "/.well-known/jwks.json";
constexpr char const* kDataKey = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

std::string slurp(std::filesystem::path const& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::filesystem::path generate_key(TempDir const& dir, std::string const& name) {
    auto path = dir.path() / name;
    std::string cmd = "openssl genpkey -algorithm ed25519 -out '" + path.string() + "' 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    return path;
}

std::string public_pem(std::filesystem::path const& key) {
    auto out = key.string() + ".pub";
    std::string cmd = "openssl pkey -in '" + key.string() + "' -pubout -out '" + out + "' 2>/dev/null";
    EXPECT_EQ(std::system(cmd.c_str()), 0);
    return slurp(out);
}

boost::json::object header_of(std::string const& jwt) {
    auto decoded = auth::base64url_decode(jwt.substr(0, jwt.find('.')));
    return boost::json::parse(decoded.value_or("{}")).as_object();
}

// HS256 token with our claims, signed with `secret`: what an attacker would forge.
std::string hs256_token(std::string const& claims_json, std::string_view secret) {
    auto bytes = [](std::string_view s) {
        return std::span<unsigned char const>{reinterpret_cast<unsigned char const*>(s.data()), s.size()};
    };
    std::string token = auth::base64url_encode(bytes(R"({"alg":"HS256","typ":"JWT"})")) + "." +
                        auth::base64url_encode(bytes(claims_json));
    auth::HmacSha256 mac{bytes(secret)};
    token += "." + auth::base64url_encode(mac.mac(token));
    return token;
}

class EdDsa : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }
    std::unique_ptr<TestApp> start(std::filesystem::path const& key_file) {
        return std::make_unique<TestApp>(
            app::Environment{{"WXLOGIN_JWT_KEY_FILE", key_file.string()}, {"WXLOGIN_DATA_KEY", kDataKey}});
    }
    // Runs the PyJWT check; 0 when the token verifies against the JWKS.
    int pyjwt_verifies(std::string const& jwks, std::string const& token) {
        auto jwks_file = dir_.path() / "jwks.json";
        auto token_file = dir_.path() / "token.txt";
        std::ofstream(jwks_file) << jwks;
        std::ofstream(token_file) << token;
        std::string script = std::filesystem::path{WX_SOURCE_DIR} / "tests" / "integration" / "jwks_pyjwt_check.py";
        std::string cmd = "/usr/bin/python3 '" + script + "' '" + jwks_file.string() + "' '@" + token_file.string() +
                          "' --issuer wxlogin >/dev/null 2>&1";
        int rc = std::system(cmd.c_str());
        return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    }
    TempDir dir_{"wxlogin-eddsa-it"};
};

TEST_F(EdDsa, TokensCarryKidAndVerifyWithPyJwtThroughJwks) {
    auto app = start(generate_key(dir_, "key.pem"));
    HttpClient c = app->client();
    auto pair = wechat_login(c);
    ASSERT_EQ(pair.response.status, 200u) << pair.response.body;
    auto header = header_of(pair.access);
    EXPECT_EQ(header.at("alg").as_string(), "EdDSA");
    EXPECT_EQ(header.at("typ").as_string(), "JWT");
    ASSERT_TRUE(header.contains("kid"));

    auto jwks = c.get(kJwks);
    ASSERT_EQ(jwks.status, 200u) << jwks.body;
    EXPECT_EQ(jwks.header("Content-Type"), "application/json");
    auto const& keys = jwks.json.at("keys").as_array();
    ASSERT_EQ(keys.size(), 1u);
    auto const& k = keys[0].as_object();
    EXPECT_EQ(k.at("kty").as_string(), "OKP");
    EXPECT_EQ(k.at("crv").as_string(), "Ed25519");
    EXPECT_EQ(k.at("alg").as_string(), "EdDSA");
    EXPECT_EQ(k.at("use").as_string(), "sig");
    EXPECT_EQ(k.at("kid"), header.at("kid"));
    EXPECT_EQ(auth::base64url_decode(k.at("x").as_string())->size(), 32u);
    EXPECT_FALSE(k.contains("d"));  // never the private part

    EXPECT_EQ(c.get("/api/v1/users/me", bearer(pair.access)).status, 200u);
    EXPECT_EQ(pyjwt_verifies(jwks.body, pair.access), 0);
    // The check can fail: a tampered token is refused by PyJWT too.
    std::string tampered = pair.access;
    tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
    EXPECT_EQ(pyjwt_verifies(jwks.body, tampered), 1);

    // Refresh works the same under EdDSA.
    auto next = refresh(c, pair.refresh);
    ASSERT_EQ(next.response.status, 200u);
    EXPECT_EQ(pyjwt_verifies(jwks.body, next.access), 0);
}

TEST_F(EdDsa, Hs256TokensAreRefused) {
    auto app = start(generate_key(dir_, "key.pem"));
    HttpClient c = app->client();
    auto pair = wechat_login(c);
    auto payload = auth::base64url_decode(
        pair.access.substr(pair.access.find('.') + 1, pair.access.rfind('.') - pair.access.find('.') - 1));
    ASSERT_TRUE(payload);
    auto jwks = c.get(kJwks);
    auto x = auth::base64url_decode(jwks.json.at("keys").at(0).at("x").as_string());
    // Algorithm confusion: the public key used as an HMAC secret, and the PEM text as well.
    for (std::string const& secret : {*x, public_pem(dir_.path() / "key.pem"), std::string(32, 'k')}) {
        auto forged = hs256_token(*payload, secret);
        auto r = c.get("/api/v1/users/me", bearer(forged));
        EXPECT_EQ(r.status, 401u);
        EXPECT_EQ(r.error_code(), "token_invalid");
    }
}

TEST_F(EdDsa, JwksIsNotFoundUnderHs256) {
    TestApp hs;
    HttpClient c = hs.client();
    auto r = c.get(kJwks);
    EXPECT_EQ(r.status, 404u);
    EXPECT_EQ(r.error_code(), "not_found");
}

TEST_F(EdDsa, ARotatedOutKeyKeepsVerifyingUntilRemoved) {
    auto old_key = generate_key(dir_, "old.pem");
    auto new_key = generate_key(dir_, "new.pem");
    std::string old_token, old_kid;
    {
        auto app = start(old_key);
        HttpClient c = app->client();
        auto pair = wechat_login(c, "o_rotation");
        old_token = pair.access;
        old_kid = std::string{header_of(old_token).at("kid").as_string()};
        // The database moves with us: the next App opens the same file.
        app->shutdown();
        std::filesystem::copy_file(app->dir().path() / "wx.db", dir_.path() / "kept.db");
    }
    auto both = dir_.path() / "both.pem";
    std::ofstream(both) << slurp(new_key) << public_pem(old_key);
    TestApp app{{{"WXLOGIN_JWT_KEY_FILE", both.string()},
                 {"WXLOGIN_DATA_KEY", kDataKey},
                 {"WXLOGIN_DATABASE_URL", "sqlite://" + (dir_.path() / "kept.db").string()}}};
    HttpClient c = app.client();
    EXPECT_EQ(c.get("/api/v1/users/me", bearer(old_token)).status, 200u);
    auto fresh = wechat_login(c, "o_rotation");
    auto fresh_kid = std::string{header_of(fresh.access).at("kid").as_string()};
    EXPECT_NE(fresh_kid, old_kid);
    auto jwks = c.get(kJwks);
    ASSERT_EQ(jwks.json.at("keys").as_array().size(), 2u);
    EXPECT_EQ(jwks.json.at("keys").at(0).at("kid").as_string(), fresh_kid);  // the signing key first
    EXPECT_EQ(pyjwt_verifies(jwks.body, old_token), 0);
    EXPECT_EQ(pyjwt_verifies(jwks.body, fresh.access), 0);
}

TEST_F(EdDsa, BadKeyFilesStopTheStart) {
    auto garbage = dir_.path() / "garbage.pem";
    std::ofstream(garbage) << "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n";
    EXPECT_THROW(start(garbage), std::runtime_error);
    auto only_public = dir_.path() / "public.pem";
    std::ofstream(only_public) << public_pem(generate_key(dir_, "k.pem"));
    EXPECT_THROW(start(only_public), std::runtime_error);
}

}  // namespace
}  // namespace wx::test
