// Access tokens: JwtCodec::verify over arbitrary bytes, under HS256 (with an audience) and EdDSA
// (a fixed key, made for this harness); claims of arbitrary JSON that carry a valid signature, so
// that the claim checks are reached, not just the header and signature gates; and sign -> verify
// of fuzz-chosen claims, which must give the claims back exactly when they are current.
//
// Input: a mode byte, then  '0'..: a token as it arrives in `Authorization: Bearer`;
//                           '1'..: the claims JSON, signed here with the HS256 secret;
//                           '2'..: the claims JSON, signed here with the Ed25519 key;
//                           '3'..: claims for the round trip (FuzzedDataProvider).
#include "auth/jwt.hpp"

#include <fuzzer/FuzzedDataProvider.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "auth/ed25519_keys.hpp"
#include "auth/encoding.hpp"
#include "auth/hmac_sha256.hpp"
#include "core/clock.hpp"

namespace {

namespace auth = wx::auth;

constexpr std::int64_t kNow = 1'800'000'000;
constexpr std::string_view kSecret = "fuzz-harness-hs256-secret-of-at-least-32-bytes";
// `openssl genpkey -algorithm ed25519`, generated for this harness; it signs nothing else.
constexpr std::string_view kEd25519Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIK+u2CmIV5AIJev9gQTxO4MGqc3bLclNL7nm0IavvwjB\n"
    "-----END PRIVATE KEY-----\n";

std::span<unsigned char const> bytes_of(std::string_view s) {
    return {reinterpret_cast<unsigned char const*>(s.data()), s.size()};
}

struct Codecs {
    wx::TestClock clock{kNow};
    auth::JwtCodec hs256{std::string{kSecret}, {.issuer = "wxlogin", .audience = "wxlogin-api", .leeway = 30}, clock};
    auth::JwtCodec eddsa{auth::Ed25519KeySet::from_pem(kEd25519Pem, "fuzz"), {.issuer = "wxlogin"}, clock};
    auth::HmacSha256 mac{bytes_of(kSecret)};
    auth::Ed25519KeySet keys = auth::Ed25519KeySet::from_pem(kEd25519Pem, "fuzz");
    std::string hs256_header = auth::base64url_encode(bytes_of(R"({"alg":"HS256","typ":"JWT"})"));
    std::string eddsa_header;
    Codecs() {
        std::string h = R"({"alg":"EdDSA","typ":"JWT","kid":")" + keys.signing_key().kid() + R"("})";
        eddsa_header = auth::base64url_encode(bytes_of(h));
    }
};

// What verify() promises about claims it accepts.
void check_accepted(wx::result<auth::Claims> const& claims, std::int64_t leeway) {
    if (!claims) return;
    if (claims->exp <= kNow || claims->iat > kNow + leeway) __builtin_trap();
}

// Printable ASCII, quotes and backslashes included, so that the JSON escaping is exercised.
std::string ascii(FuzzedDataProvider& in, std::size_t max) {
    std::string s = in.ConsumeRandomLengthString(max);
    for (char& c : s) c = static_cast<char>(0x20 + static_cast<unsigned char>(c) % 95);
    return s;
}

void round_trip(Codecs const& c, FuzzedDataProvider& in) {
    auth::Claims claims;
    claims.sub = ascii(in, 24);
    claims.sid = ascii(in, 40);
    claims.jti = ascii(in, 40);
    claims.role = ascii(in, 16);
    claims.iat = in.ConsumeIntegral<std::int64_t>();
    claims.exp = in.ConsumeIntegral<std::int64_t>();
    bool const current = kNow < claims.exp && claims.iat <= kNow + 30;
    for (auth::JwtCodec const* codec : {&c.hs256, &c.eddsa}) {
        auto back = codec->verify(codec->sign(claims));
        if (back.has_value() != current) __builtin_trap();
        if (back && (back->sub != claims.sub || back->sid != claims.sid || back->jti != claims.jti ||
                     back->role != claims.role || back->iat != claims.iat || back->exp != claims.exp))
            __builtin_trap();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static Codecs const c;
    if (size == 0) return 0;
    std::string_view rest{reinterpret_cast<char const*>(data) + 1, size - 1};
    switch (data[0] % 4) {
        case 0:
            check_accepted(c.hs256.verify(rest), 30);
            check_accepted(c.eddsa.verify(rest), 30);
            break;
        case 1: {
            std::string token = c.hs256_header + "." + auth::base64url_encode(bytes_of(rest));
            std::string sig = auth::base64url_encode(c.mac.mac(token));
            check_accepted(c.hs256.verify(token + "." + sig), 30);
            break;
        }
        case 2: {
            std::string token = c.eddsa_header + "." + auth::base64url_encode(bytes_of(rest));
            std::string sig = auth::base64url_encode(c.keys.sign(token));
            check_accepted(c.eddsa.verify(token + "." + sig), 30);
            break;
        }
        default: {
            FuzzedDataProvider in{data + 1, size - 1};
            round_trip(c, in);
            break;
        }
    }
    return 0;
}
