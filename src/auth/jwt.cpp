#include "auth/jwt.hpp"

#include <sodium.h>

#include <atomic>
#include <boost/json/array.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <limits>
#include <stdexcept>

#include "auth/encoding.hpp"
#include "auth/verified_tokens.hpp"

namespace wx::auth {
namespace {

constexpr std::size_t kEd25519SignatureChars = 86;  // 64 bytes of base64url without padding

class JwtCategory final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "jwt"; }
    std::string message(int ev) const override {
        switch (static_cast<JwtErrc>(ev)) {
            case JwtErrc::malformed:
                return "malformed token";
            case JwtErrc::bad_algorithm:
                return "unexpected token algorithm or header";
            case JwtErrc::bad_signature:
                return "bad token signature";
            case JwtErrc::expired:
                return "token expired";
            case JwtErrc::not_yet_valid:
                return "token not yet valid";
            case JwtErrc::wrong_issuer:
                return "wrong token issuer";
            case JwtErrc::wrong_audience:
                return "wrong token audience";
        }
        return "token error";
    }
};

std::span<unsigned char const> bytes_of(std::string_view s) {
    return {reinterpret_cast<unsigned char const*>(s.data()), s.size()};
}

// A NumericDate claim (RFC 7519 §2), which we only ever write as an integer: absent, or an
// integer that fits int64, or invalid (a string, a float, a boolean, out of range...).
struct NumericDate {
    bool present = false;
    std::optional<std::int64_t> value;  // nullopt when present but invalid
};

NumericDate date_claim(boost::json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v) return {};
    if (v->is_int64()) return {true, v->get_int64()};
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return {true, static_cast<std::int64_t>(v->get_uint64())};
    return {true, std::nullopt};
}

std::optional<std::string> string_claim(boost::json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string{v->get_string()};
}

std::uint64_t next_codec_id() {
    static std::atomic<std::uint64_t> last{0};
    return ++last;
}

bool audience_matches(boost::json::value const* aud, std::string_view expected) {
    if (!aud) return false;
    if (aud->is_string()) return aud->get_string() == expected;
    if (aud->is_array())
        for (auto const& a : aud->get_array())
            if (a.is_string() && a.get_string() == expected) return true;
    return false;
}

}  // namespace

boost::system::error_category const& jwt_category() noexcept {
    static JwtCategory const c;
    return c;
}

JwtCodec::JwtCodec(std::string hs256_secret, JwtSettings settings, Clock const& clock)
    : mac_(std::in_place, bytes_of(hs256_secret)), settings_(std::move(settings)), clock_(clock), id_(next_codec_id()) {
    headers_b64_.push_back(base64url_encode(bytes_of(R"({"alg":"HS256","typ":"JWT"})")));
}

JwtCodec::JwtCodec(Ed25519KeySet keys, JwtSettings settings, Clock const& clock)
    : ed25519_(std::move(keys)), settings_(std::move(settings)), clock_(clock), id_(next_codec_id()) {
    if (ed25519_->keys().empty()) throw std::invalid_argument("JwtCodec needs at least one Ed25519 key");
    boost::json::array jwks;
    for (auto const& k : ed25519_->keys()) {
        std::string header = R"({"alg":"EdDSA","typ":"JWT","kid":")" + k.kid() + R"("})";
        headers_b64_.push_back(base64url_encode(bytes_of(header)));
        jwks.push_back(boost::json::object{
            {"kty", "OKP"}, {"crv", "Ed25519"}, {"x", k.x()}, {"kid", k.kid()}, {"use", "sig"}, {"alg", "EdDSA"}});
    }
    boost::json::object doc;
    doc["keys"] = std::move(jwks);
    jwks_json_ = boost::json::serialize(doc);
}

std::string JwtCodec::sign(Claims const& c) const {
    boost::json::object payload;
    payload["iss"] = settings_.issuer;
    payload["sub"] = c.sub;
    if (!settings_.audience.empty()) payload["aud"] = settings_.audience;
    payload["iat"] = c.iat;
    payload["exp"] = c.exp;
    payload["jti"] = c.jti;
    payload["sid"] = c.sid;
    payload["role"] = c.role;
    std::string token = headers_b64_.front();
    token += '.';
    token += base64url_encode(bytes_of(boost::json::serialize(payload)));
    std::string signature = mac_ ? base64url_encode(mac_->mac(token)) : base64url_encode(ed25519_->sign(token));
    token += '.';
    token += signature;
    return token;
}

result<Claims> JwtCodec::verify(std::string_view token) const {
    // The same checks of time as check_claims(), in the same order.
    if (auto const* known = VerifiedTokens::find(id_, token)) {
        std::int64_t now = clock_.now();
        if (now >= known->claims.exp) return make_error_code(JwtErrc::expired);
        if (now < known->valid_from) return make_error_code(JwtErrc::not_yet_valid);
        return known->claims;
    }
    std::int64_t valid_from = 0;
    auto claims = verify_signed(token, &valid_from);
    if (claims) VerifiedTokens::remember(id_, token, {*claims, valid_from});
    return claims;
}

result<Claims> JwtCodec::verify_signed(std::string_view token, std::int64_t* valid_from) const {
    auto dot1 = token.find('.');
    auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        return make_error_code(JwtErrc::malformed);
    std::string_view header = token.substr(0, dot1);
    std::string_view signing_input = token.substr(0, dot2);
    std::string_view signature = token.substr(dot2 + 1);

    // Only the exact headers we issue are accepted: alg "none", another alg (HS256 under EdDSA
    // included, whatever its key), an unknown kid or any added field (jku, jwk...) never reaches
    // signature checking. The header picks the key.
    std::size_t key = 0;
    while (key < headers_b64_.size() && header != headers_b64_[key]) ++key;
    if (key == headers_b64_.size()) {
        auto raw = base64url_decode(header);
        return make_error_code(raw ? JwtErrc::bad_algorithm : JwtErrc::malformed);
    }
    if (mac_) {
        // Compare encodings, not decodings: our encoding is canonical, so equal MACs have equal text.
        std::string expected = base64url_encode(mac_->mac(signing_input));
        if (signature.size() != expected.size() ||
            sodium_memcmp(signature.data(), expected.data(), expected.size()) != 0)
            return make_error_code(JwtErrc::bad_signature);
    } else {
        // Decoded on the stack; libsodium's decoder, like ours, refuses non-canonical text, so one
        // signature has one encoding.
        std::array<unsigned char, Ed25519PublicKey::kSignatureSize> sig{};
        std::size_t len = 0;
        char const* end = nullptr;
        if (signature.size() != kEd25519SignatureChars ||
            sodium_base642bin(sig.data(), sig.size(), signature.data(), signature.size(), nullptr, &len, &end,
                              sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
            len != sig.size() || end != signature.data() + signature.size() ||
            !ed25519_->keys()[key].verify(signing_input, sig))
            return make_error_code(JwtErrc::bad_signature);
    }
    return check_claims(token.substr(dot1 + 1, dot2 - dot1 - 1), valid_from);
}

// The claim checks every signed token passes through, whichever the algorithm.
result<Claims> JwtCodec::check_claims(std::string_view payload_b64, std::int64_t* valid_from) const {
    auto payload_text = base64url_decode(payload_b64);
    if (!payload_text) return make_error_code(JwtErrc::malformed);
    // Claims are small: parse them into stack memory instead of the heap.
    unsigned char arena[2048];
    boost::json::monotonic_resource mr{arena, sizeof arena};
    error_code ec;
    auto payload = boost::json::parse(*payload_text, ec, &mr);
    if (ec || !payload.is_object()) return make_error_code(JwtErrc::malformed);
    auto const& o = payload.get_object();

    Claims c;
    auto iss = string_claim(o, "iss");
    auto sub = string_claim(o, "sub");
    auto sid = string_claim(o, "sid");
    auto jti = string_claim(o, "jti");
    auto role = string_claim(o, "role");
    auto iat = date_claim(o, "iat").value;
    auto exp = date_claim(o, "exp").value;
    auto nbf = date_claim(o, "nbf");
    // An nbf we cannot read is no reason to ignore it: a reader that did would accept the token
    // earlier than its issuer meant.
    if (!iss || !sub || !sid || !jti || !role || !iat || !exp || (nbf.present && !nbf.value))
        return make_error_code(JwtErrc::malformed);
    if (*iss != settings_.issuer) return make_error_code(JwtErrc::wrong_issuer);
    if (!settings_.audience.empty() && !audience_matches(o.if_contains("aud"), settings_.audience))
        return make_error_code(JwtErrc::wrong_audience);
    std::int64_t now = clock_.now();
    if (now >= *exp) return make_error_code(JwtErrc::expired);
    if (*iat > now + settings_.leeway) return make_error_code(JwtErrc::not_yet_valid);
    if (nbf.value && *nbf.value > now + settings_.leeway) return make_error_code(JwtErrc::not_yet_valid);
    // iat and nbf may be any int64 (signed by us, but read as written): an iat near INT64_MIN
    // minus the leeway would overflow, and such a token is valid from the beginning of time.
    if (__builtin_sub_overflow(std::max(*iat, nbf.value.value_or(*iat)), settings_.leeway, valid_from))
        *valid_from = std::numeric_limits<std::int64_t>::min();
    c.sub = std::move(*sub);
    c.sid = std::move(*sid);
    c.jti = std::move(*jti);
    c.role = std::move(*role);
    c.iat = *iat;
    c.exp = *exp;
    return c;
}

}  // namespace wx::auth
