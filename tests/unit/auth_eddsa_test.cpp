// EdDSA access tokens (RFC 8037) and the key file behind them: signing, rotation, the JWKS, every
// header and signature that must be refused, and key files that must stop the start.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <sys/wait.h>

#include <boost/json/parse.hpp>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

#include "auth/ed25519_keys.hpp"
#include "auth/encoding.hpp"
#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "support/temp_dir.hpp"

namespace wx::auth {
namespace {

constexpr std::int64_t kNow = 1'800'000'000;

// RFC 8037 Appendix A.1 (key) and A.3 (its RFC 7638 thumbprint).
constexpr std::string_view kRfcD = "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A";
constexpr std::string_view kRfcX = "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo";
constexpr std::string_view kRfcKid = "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k";

std::string b64(std::string_view s) {
    return base64url_encode({reinterpret_cast<unsigned char const*>(s.data()), s.size()});
}

struct PkeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;

Pkey generate(char const* type) {
    Pkey k{EVP_PKEY_Q_keygen(nullptr, nullptr, type)};
    if (!k) throw std::runtime_error(std::string{"keygen failed: "} + type);
    return k;
}

Pkey rfc8037_key() {
    auto d = base64url_decode(kRfcD);
    return Pkey{EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr,
                                             reinterpret_cast<unsigned char const*>(d->data()), d->size())};
}

template <typename Write>
std::string to_pem(Write write) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), &BIO_free};
    if (write(bio.get()) != 1) throw std::runtime_error("PEM write failed");
    char* data = nullptr;
    long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

std::string private_pem(EVP_PKEY* k) {  // PKCS#8, as `openssl genpkey` writes
    return to_pem([k](BIO* b) { return PEM_write_bio_PrivateKey(b, k, nullptr, nullptr, 0, nullptr, nullptr); });
}
std::string public_pem(EVP_PKEY* k) {
    return to_pem([k](BIO* b) { return PEM_write_bio_PUBKEY(b, k); });
}

// The base64 body lines of every PEM block in `pem`: what an error message must never repeat.
std::vector<std::string> pem_body_lines(std::string const& pem) {
    std::vector<std::string> out;
    std::istringstream in(pem);
    for (std::string line; std::getline(in, line);)
        if (!line.empty() && !line.starts_with("-----")) out.push_back(line);
    return out;
}

std::string segment(std::string const& token, int index) {
    auto d1 = token.find('.');
    auto d2 = token.find('.', d1 + 1);
    std::string parts[3] = {token.substr(0, d1), token.substr(d1 + 1, d2 - d1 - 1), token.substr(d2 + 1)};
    return parts[index];
}

std::string replace_segment(std::string const& token, int index, std::string const& value) {
    std::string parts[3] = {segment(token, 0), segment(token, 1), segment(token, 2)};
    parts[index] = value;
    return parts[0] + "." + parts[1] + "." + parts[2];
}

class EdDSATest : public ::testing::Test {
protected:
    test::TempDir dir_{"wxlogin-eddsa"};
    TestClock clock_{kNow};
    JwtSettings settings_{"wxlogin", "", 30};
    Pkey current_ = generate("ED25519");
    Pkey previous_ = generate("ED25519");

    std::filesystem::path write(std::string const& name, std::string const& pem) const { return dir_.write(name, pem); }
    JwtCodec codec_from(std::string const& name, std::string const& pem) const {
        return JwtCodec{Ed25519KeySet::load_file(write(name, pem)), settings_, clock_};
    }

    Claims claims() const {
        Claims c;
        c.sub = "42";
        c.sid = "sid-1";
        c.jti = "jti-1";
        c.role = "user";
        c.iat = clock_.now();
        c.exp = clock_.now() + 3600;
        return c;
    }
};

TEST(Ed25519KeySet, KidIsTheRfc8037Thumbprint) {
    test::TempDir dir{"wxlogin-eddsa"};
    auto key = rfc8037_key();
    auto keys = Ed25519KeySet::load_file(dir.write("rfc.pem", private_pem(key.get())));
    ASSERT_EQ(keys.keys().size(), 1u);
    EXPECT_EQ(keys.signing_key().x(), kRfcX);
    EXPECT_EQ(keys.signing_key().kid(), kRfcKid);
}

TEST(Ed25519KeySet, SignsTheRfc8037Example) {
    // RFC 8037 Appendix A.4: Ed25519 is deterministic, so the signature is fixed.
    test::TempDir dir{"wxlogin-eddsa"};
    auto key = rfc8037_key();
    auto keys = Ed25519KeySet::load_file(dir.write("rfc.pem", private_pem(key.get())));
    auto sig = keys.sign("eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc");
    EXPECT_EQ(base64url_encode(sig),
              "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg");
}

TEST(Ed25519KeySet, MoveLeavesNoKeysBehind) {
    test::TempDir dir{"wxlogin-eddsa"};
    auto key = generate("ED25519");
    auto a = Ed25519KeySet::load_file(dir.write("k.pem", private_pem(key.get())));
    std::string kid = a.signing_key().kid();
    Ed25519KeySet b{std::move(a)};
    EXPECT_EQ(b.signing_key().kid(), kid);
    EXPECT_TRUE(a.keys().empty());  // NOLINT(bugprone-use-after-move): the moved-from state is the point
}

TEST_F(EdDSATest, SignedTokenVerifiesWithItsClaims) {
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    EXPECT_EQ(codec.algorithm(), "EdDSA");
    std::string token = codec.sign(claims());
    auto c = codec.verify(token);
    ASSERT_TRUE(c) << c.error().message();
    EXPECT_EQ(c->sub, "42");
    EXPECT_EQ(c->sid, "sid-1");
    EXPECT_EQ(c->jti, "jti-1");
    EXPECT_EQ(c->role, "user");
    EXPECT_EQ(c->exp, kNow + 3600);
    EXPECT_EQ(segment(token, 2).size(), 86u);  // 64 bytes
}

TEST_F(EdDSATest, HeaderIsExactlyAlgTypKid) {
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    auto keys = Ed25519KeySet::load_file(dir_.path() / "k.pem");
    std::string token = codec.sign(claims());
    EXPECT_EQ(base64url_decode(segment(token, 0)),
              R"({"alg":"EdDSA","typ":"JWT","kid":")" + keys.signing_key().kid() + R"("})");
    // The payload is the same as under HS256.
    EXPECT_EQ(
        base64url_decode(segment(token, 1)),
        R"({"iss":"wxlogin","sub":"42","iat":1800000000,"exp":1800003600,"jti":"jti-1","sid":"sid-1","role":"user"})");
}

TEST_F(EdDSATest, PreviousKeyStillVerifiesAndNewTokensUseTheFirstKey) {
    for (bool previous_as_public : {false, true}) {
        SCOPED_TRACE(previous_as_public ? "previous key as PUBLIC KEY" : "previous key as PRIVATE KEY");
        auto before = codec_from("old.pem", private_pem(previous_.get()));
        std::string old_token = before.sign(claims());

        std::string rotated = private_pem(current_.get()) +
                              (previous_as_public ? public_pem(previous_.get()) : private_pem(previous_.get()));
        auto after = codec_from("rotated.pem", rotated);
        auto keys = Ed25519KeySet::load_file(dir_.path() / "rotated.pem");
        ASSERT_EQ(keys.keys().size(), 2u);

        EXPECT_TRUE(after.verify(old_token));
        std::string new_token = after.sign(claims());
        EXPECT_TRUE(after.verify(new_token));
        EXPECT_NE(segment(new_token, 0), segment(old_token, 0));
        EXPECT_EQ(base64url_decode(segment(new_token, 0)),
                  R"({"alg":"EdDSA","typ":"JWT","kid":")" + keys.signing_key().kid() + R"("})");
        // An instance still on the old file does not know the new kid.
        EXPECT_EQ(before.verify(new_token).error(), JwtErrc::bad_algorithm);
    }
}

TEST_F(EdDSATest, UnknownKidIsRefused) {
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    auto other = codec_from("other.pem", private_pem(previous_.get()));
    EXPECT_EQ(codec.verify(other.sign(claims())).error(), JwtErrc::bad_algorithm);
    std::string t = codec.sign(claims());
    EXPECT_EQ(codec.verify(replace_segment(t, 0, b64(R"({"alg":"EdDSA","typ":"JWT","kid":"nope"})"))).error(),
              JwtErrc::bad_algorithm);
    EXPECT_EQ(codec.verify(replace_segment(t, 0, b64(R"({"alg":"EdDSA","typ":"JWT"})"))).error(),
              JwtErrc::bad_algorithm);
}

TEST_F(EdDSATest, HeaderWithExtraOrReorderedFieldsIsRefused) {
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    auto keys = Ed25519KeySet::load_file(dir_.path() / "k.pem");
    std::string const& kid = keys.signing_key().kid();
    std::string t = codec.sign(claims());
    for (std::string header :
         {R"({"alg":"EdDSA","typ":"JWT","kid":")" + kid + R"(","jku":"https://evil.example/jwks.json"})",
          R"({"alg":"EdDSA","typ":"JWT","kid":")" + kid + R"(","jwk":{"kty":"OKP","crv":"Ed25519","x":"AAAA"}})",
          R"({"kid":")" + kid + R"(","alg":"EdDSA","typ":"JWT"})",
          R"({"alg":"EdDSA", "typ":"JWT", "kid":")" + kid + R"("})"})
        EXPECT_EQ(codec.verify(replace_segment(t, 0, b64(header))).error(), JwtErrc::bad_algorithm) << header;
}

TEST_F(EdDSATest, AlgNoneIsRefused) {
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    auto keys = Ed25519KeySet::load_file(dir_.path() / "k.pem");
    std::string t = codec.sign(claims());
    for (std::string header : {std::string{R"({"alg":"none","typ":"JWT"})"},
                               R"({"alg":"none","typ":"JWT","kid":")" + keys.signing_key().kid() + R"("})"}) {
        std::string unsigned_token = replace_segment(t, 0, b64(header));
        unsigned_token = unsigned_token.substr(0, unsigned_token.rfind('.') + 1);
        EXPECT_EQ(codec.verify(unsigned_token).error(), JwtErrc::bad_algorithm) << header;
        EXPECT_EQ(codec.verify(replace_segment(t, 0, b64(header))).error(), JwtErrc::bad_algorithm) << header;
    }
}

TEST_F(EdDSATest, Hs256TokenMacedWithThePublicKeyIsRefused) {
    // Algorithm confusion: a verifier that let the token choose the algorithm would check this
    // HMAC with the (public) Ed25519 key as the secret and accept it.
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    auto keys = Ed25519KeySet::load_file(dir_.path() / "k.pem");
    auto const& pk = keys.signing_key();
    for (std::string secret : {std::string(reinterpret_cast<char const*>(pk.bytes().data()), pk.bytes().size()), pk.x(),
                               public_pem(current_.get())}) {
        JwtCodec forger{secret, settings_, clock_};
        std::string forged = forger.sign(claims());
        ASSERT_TRUE(forger.verify(forged));  // a real forgery for a verifier that trusts the header
        EXPECT_EQ(codec.verify(forged).error(), JwtErrc::bad_algorithm);
        // The same with our kid in an HS256 header.
        std::string with_kid =
            replace_segment(forged, 0, b64(R"({"alg":"HS256","typ":"JWT","kid":")" + pk.kid() + R"("})"));
        EXPECT_EQ(codec.verify(with_kid).error(), JwtErrc::bad_algorithm);
    }
}

TEST_F(EdDSATest, TamperedPayloadIsRefused) {
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    std::string forged =
        b64(R"({"iss":"wxlogin","sub":"1","iat":1800000000,"exp":1800003600,"jti":"j","sid":"s","role":"admin"})");
    EXPECT_EQ(codec.verify(replace_segment(codec.sign(claims()), 1, forged)).error(), JwtErrc::bad_signature);
}

TEST_F(EdDSATest, TamperedSignatureIsRefused) {
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    std::string t = codec.sign(claims());
    std::string sig = segment(t, 2);

    std::string flipped = sig;
    flipped[10] = flipped[10] == 'A' ? 'B' : 'A';
    EXPECT_EQ(codec.verify(replace_segment(t, 2, flipped)).error(), JwtErrc::bad_signature);

    // 86 characters carry 516 bits for 512: changing only the 4 spare bits of the last one must
    // not give a second valid encoding of the same signature.
    static constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string spare = sig;
    spare.back() = kAlphabet[kAlphabet.find(sig.back()) ^ 1];
    EXPECT_EQ(codec.verify(replace_segment(t, 2, spare)).error(), JwtErrc::bad_signature);

    EXPECT_EQ(codec.verify(replace_segment(t, 2, sig.substr(0, 85))).error(), JwtErrc::bad_signature);
    EXPECT_EQ(codec.verify(replace_segment(t, 2, sig + "A")).error(), JwtErrc::bad_signature);
    EXPECT_EQ(codec.verify(replace_segment(t, 2, "")).error(), JwtErrc::bad_signature);
    EXPECT_EQ(codec.verify(replace_segment(t, 2, std::string(85, 'A') + "=")).error(), JwtErrc::bad_signature);
    EXPECT_EQ(codec.verify(replace_segment(t, 2, std::string(86, 'A'))).error(), JwtErrc::bad_signature);

    // A valid signature by another key under our kid.
    auto other = codec_from("other.pem", private_pem(previous_.get()));
    EXPECT_EQ(codec.verify(replace_segment(t, 2, segment(other.sign(claims()), 2))).error(), JwtErrc::bad_signature);
}

TEST_F(EdDSATest, ExpiredTokenIsRefusedExactlyAtExp) {
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    std::string t = codec.sign(claims());
    clock_.set(kNow + 3599);
    EXPECT_TRUE(codec.verify(t));
    clock_.set(kNow + 3600);
    EXPECT_EQ(codec.verify(t).error(), JwtErrc::expired);
}

TEST_F(EdDSATest, ClaimChecksAreTheSameAsUnderHs256) {
    auto pem = private_pem(current_.get());
    auto codec = codec_from("k.pem", pem);
    JwtCodec other_issuer{Ed25519KeySet::load_file(dir_.path() / "k.pem"), JwtSettings{"someone-else", "", 30}, clock_};
    EXPECT_EQ(codec.verify(other_issuer.sign(claims())).error(), JwtErrc::wrong_issuer);
    JwtCodec with_aud{Ed25519KeySet::load_file(dir_.path() / "k.pem"), JwtSettings{"wxlogin", "mini", 30}, clock_};
    EXPECT_TRUE(with_aud.verify(with_aud.sign(claims())));
    EXPECT_EQ(with_aud.verify(codec.sign(claims())).error(), JwtErrc::wrong_audience);
    auto c = claims();
    c.iat = kNow + 31;
    EXPECT_EQ(codec.verify(codec.sign(c)).error(), JwtErrc::not_yet_valid);
}

TEST_F(EdDSATest, GarbageIsMalformed) {
    auto codec = codec_from("k.pem", private_pem(current_.get()));
    for (std::string_view t : {"", "abc", "a.b", "a.b.c.d", "...", "!!!.###.$$$"})
        EXPECT_TRUE(codec.verify(t).has_error()) << t;
    EXPECT_EQ(codec.verify("a.b").error(), JwtErrc::malformed);
    EXPECT_EQ(codec.verify("!!!.###.$$$").error(), JwtErrc::malformed);
}

TEST_F(EdDSATest, JwksListsEveryKeySigningKeyFirst) {
    auto codec = codec_from("rotated.pem", private_pem(current_.get()) + public_pem(previous_.get()));
    auto keys = Ed25519KeySet::load_file(dir_.path() / "rotated.pem");
    boost::system::error_code ec;
    auto doc = boost::json::parse(codec.jwks_json(), ec);
    ASSERT_FALSE(ec) << codec.jwks_json();
    ASSERT_TRUE(doc.is_object());
    ASSERT_EQ(doc.get_object().size(), 1u);
    auto const& list = doc.at("keys").as_array();
    ASSERT_EQ(list.size(), 2u);
    for (std::size_t i = 0; i < list.size(); ++i) {
        auto const& jwk = list[i].as_object();
        EXPECT_EQ(jwk.size(), 6u);
        EXPECT_EQ(jwk.at("kty").as_string(), "OKP");
        EXPECT_EQ(jwk.at("crv").as_string(), "Ed25519");
        EXPECT_EQ(jwk.at("use").as_string(), "sig");
        EXPECT_EQ(jwk.at("alg").as_string(), "EdDSA");
        EXPECT_EQ(jwk.at("x").as_string(), keys.keys()[i].x());
        EXPECT_EQ(jwk.at("kid").as_string(), keys.keys()[i].kid());
        EXPECT_EQ(base64url_decode(jwk.at("x").as_string())->size(), 32u);
        EXPECT_FALSE(jwk.contains("d"));  // never the private part
    }
    EXPECT_EQ(list[0].at("kid").as_string(), keys.signing_key().kid());
}

TEST(EdDSAHs256, Hs256CodecHasNoJwks) {
    TestClock clock{kNow};
    JwtCodec codec{std::string(40, 's'), JwtSettings{}, clock};
    EXPECT_EQ(codec.algorithm(), "HS256");
    EXPECT_TRUE(codec.jwks_json().empty());
}

// --- key files that must stop the start ---

class Ed25519KeyFileTest : public ::testing::Test {
protected:
    test::TempDir dir_{"wxlogin-eddsa"};

    // Loads `pem` from a file and expects an error naming the file (and `block`, when > 0) whose
    // message repeats none of the file's key material.
    void expect_refused(std::string const& name, std::string const& pem, int block, std::string_view reason) {
        auto file = dir_.write(name, pem);
        try {
            (void)Ed25519KeySet::load_file(file);
            ADD_FAILURE() << name << " was accepted";
        } catch (std::runtime_error const& e) {
            std::string msg = e.what();
            EXPECT_NE(msg.find(file.string()), std::string::npos) << msg;
            if (block > 0) {
                EXPECT_NE(msg.find("block " + std::to_string(block)), std::string::npos) << msg;
            }
            EXPECT_NE(msg.find(reason), std::string::npos) << msg;
            for (auto const& line : pem_body_lines(pem))
                for (std::size_t i = 0; i + 12 <= line.size(); i += 4)
                    EXPECT_EQ(msg.find(line.substr(i, 12)), std::string::npos) << msg;
        }
    }
};

TEST_F(Ed25519KeyFileTest, EmptyOrNonPemFileIsRefused) {
    expect_refused("empty.pem", "", 0, "empty");
    expect_refused("blank.pem", "\n\n  \n", 0, "no PEM block");
    expect_refused("garbage.pem", "this is not a key file, hunter2hunter2hunter2\n", 0, "no PEM block");
}

TEST_F(Ed25519KeyFileTest, DamagedPemIsRefused) {
    std::string pem = private_pem(generate("ED25519").get());
    std::string damaged = pem;
    damaged.replace(damaged.find('\n') + 5, 3, "!!!");
    expect_refused("damaged.pem", damaged, 1, "unreadable");
    std::string truncated = pem.substr(0, pem.size() - 10);
    expect_refused("truncated.pem", truncated, 1, "unreadable");
    expect_refused("damaged-second.pem", pem + damaged, 2, "unreadable");
}

TEST_F(Ed25519KeyFileTest, OtherKeyTypesAreRefused) {
    Pkey rsa{EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", std::size_t{1024})};
    ASSERT_TRUE(rsa);
    expect_refused("rsa.pem", private_pem(rsa.get()), 1, "RSA");
    expect_refused("rsa-traditional.pem", to_pem([&](BIO* b) {
                       return PEM_write_bio_PrivateKey_traditional(b, rsa.get(), nullptr, nullptr, 0, nullptr, nullptr);
                   }),
                   1, "RSA");
    expect_refused("x25519.pem", private_pem(generate("X25519").get()), 1, "not Ed25519");
    Pkey ec{EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256")};
    ASSERT_TRUE(ec);
    expect_refused("ec.pem", private_pem(ec.get()), 1, "not Ed25519");
    // A wrong type among the previous keys is refused too.
    std::string ed = private_pem(generate("ED25519").get());
    expect_refused("rsa-second.pem", ed + public_pem(rsa.get()), 2, "RSA");
}

TEST_F(Ed25519KeyFileTest, PublicKeyFirstIsRefused) {
    auto key = generate("ED25519");
    expect_refused("public-first.pem", public_pem(key.get()) + private_pem(key.get()), 1, "first block");
}

TEST_F(Ed25519KeyFileTest, EncryptedKeyIsRefusedWithoutAPrompt) {
    auto key = generate("ED25519");
    static char kPass[] = "correct horse";
    std::string pem = to_pem([&](BIO* b) {
        return PEM_write_bio_PKCS8PrivateKey(b, key.get(), EVP_aes_256_cbc(), nullptr, 0, nullptr, kPass);
    });
    expect_refused("encrypted.pem", pem, 1, "encrypted");
}

TEST_F(Ed25519KeyFileTest, UnsupportedBlockAndRepeatedKeyAreRefused) {
    auto key = generate("ED25519");
    std::string pem = private_pem(key.get());
    expect_refused("cert.pem", pem + "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 2,
                   "unsupported");
    expect_refused("repeated.pem", pem + public_pem(key.get()), 2, "repeats the key of block 1");
}

TEST_F(Ed25519KeyFileTest, MissingFileIsRefused) {
    auto file = dir_.path() / "missing.pem";
    try {
        (void)Ed25519KeySet::load_file(file);
        ADD_FAILURE() << "a missing file was accepted";
    } catch (std::runtime_error const& e) {
        EXPECT_NE(std::string{e.what()}.find(file.string()), std::string::npos) << e.what();
    }
}

// --- a standard library verifies our tokens from the JWKS alone ---

constexpr char const* kPython = "/usr/bin/python3";

std::filesystem::path pyjwt_script() {
    return std::filesystem::path{WX_SOURCE_DIR} / "tests" / "integration" / "jwks_pyjwt_check.py";
}

int run(std::string const& command) {
    int status = std::system(command.c_str());
    return status != -1 && WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string read_all(std::filesystem::path const& p) {
    std::ifstream in(p);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(EdDSATest, PyJwtVerifiesOurTokensWithTheJwks) {
    if (run(std::string{kPython} + " -c 'import jwt, cryptography' >/dev/null 2>&1") != 0)
        GTEST_SKIP() << kPython << " lacks PyJWT/cryptography (Debian: python3-jwt python3-cryptography)";
    ASSERT_TRUE(std::filesystem::exists(pyjwt_script())) << pyjwt_script();
    // PyJWT checks exp and iat against the real clock.
    clock_.set(static_cast<std::int64_t>(std::time(nullptr)));
    auto codec = codec_from("rotated.pem", private_pem(current_.get()) + public_pem(previous_.get()));
    auto old_codec = codec_from("old.pem", private_pem(previous_.get()));
    auto stranger = codec_from("stranger.pem", private_pem(generate("ED25519").get()));
    auto jwks = write("jwks.json", codec.jwks_json());
    auto out = dir_.path() / "out.txt";

    auto check = [&](std::string const& token, std::string const& issuer) {
        return run(std::string{kPython} + " '" + pyjwt_script().string() + "' '" + jwks.string() + "' '" + token +
                   "' --issuer '" + issuer + "' >'" + out.string() + "' 2>&1");
    };
    std::string token = codec.sign(claims());
    EXPECT_EQ(check(token, "wxlogin"), 0) << read_all(out);
    EXPECT_NE(read_all(out).find(R"("sub": "42")"), std::string::npos) << read_all(out);
    EXPECT_EQ(check(old_codec.sign(claims()), "wxlogin"), 0) << read_all(out);  // previous key, by kid

    // The script must also refuse, for the right reason: otherwise the checks above prove nothing.
    auto refused = [&](std::string const& t, std::string const& issuer, std::string_view why) {
        EXPECT_EQ(check(t, issuer), 1) << read_all(out);
        EXPECT_NE(read_all(out).find(why), std::string::npos) << read_all(out);
    };
    refused(token, "someone-else", "InvalidIssuerError");
    refused(stranger.sign(claims()), "wxlogin", "no single key");
    std::string sig = segment(token, 2);
    sig[10] = sig[10] == 'A' ? 'B' : 'A';
    refused(replace_segment(token, 2, sig), "wxlogin", "InvalidSignatureError");
}

}  // namespace
}  // namespace wx::auth
