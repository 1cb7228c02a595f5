#include "auth/jwt.hpp"

#include <sodium.h>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "auth/encoding.hpp"

namespace wx::auth {
namespace {

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

std::optional<std::int64_t> int_claim(boost::json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v) return std::nullopt;
    if (v->is_int64()) return v->get_int64();
    if (v->is_uint64() && v->get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v->get_uint64());
    return std::nullopt;
}

std::optional<std::string> string_claim(boost::json::object const& o, std::string_view key) {
    auto const* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    return std::string{v->get_string()};
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
    : mac_(bytes_of(hs256_secret)), settings_(std::move(settings)), clock_(clock) {
    header_b64_ = base64url_encode(bytes_of(R"({"alg":"HS256","typ":"JWT"})"));
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
    std::string token = header_b64_;
    token += '.';
    token += base64url_encode(bytes_of(boost::json::serialize(payload)));
    auto mac = mac_.mac(token);
    token += '.';
    token += base64url_encode(mac);
    return token;
}

result<Claims> JwtCodec::verify(std::string_view token) const {
    auto dot1 = token.find('.');
    auto dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
    if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
        return make_error_code(JwtErrc::malformed);
    std::string_view header = token.substr(0, dot1);
    std::string_view signing_input = token.substr(0, dot2);
    std::string_view signature = token.substr(dot2 + 1);

    // Only the exact header we issue is accepted: alg "none", another alg or any added field
    // (kid, jku, jwk...) never reaches signature checking.
    if (header != header_b64_) {
        auto raw = base64url_decode(header);
        return make_error_code(raw ? JwtErrc::bad_algorithm : JwtErrc::malformed);
    }
    // Compare encodings, not decodings: our encoding is canonical, so equal MACs have equal text.
    std::string expected = base64url_encode(mac_.mac(signing_input));
    if (signature.size() != expected.size() || sodium_memcmp(signature.data(), expected.data(), expected.size()) != 0)
        return make_error_code(JwtErrc::bad_signature);

    auto payload_text = base64url_decode(token.substr(dot1 + 1, dot2 - dot1 - 1));
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
    auto iat = int_claim(o, "iat");
    auto exp = int_claim(o, "exp");
    if (!iss || !sub || !sid || !jti || !role || !iat || !exp) return make_error_code(JwtErrc::malformed);
    if (*iss != settings_.issuer) return make_error_code(JwtErrc::wrong_issuer);
    if (!settings_.audience.empty() && !audience_matches(o.if_contains("aud"), settings_.audience))
        return make_error_code(JwtErrc::wrong_audience);
    std::int64_t now = clock_.now();
    if (now >= *exp) return make_error_code(JwtErrc::expired);
    if (*iat > now + settings_.leeway) return make_error_code(JwtErrc::not_yet_valid);
    if (auto nbf = int_claim(o, "nbf"); nbf && *nbf > now + settings_.leeway)
        return make_error_code(JwtErrc::not_yet_valid);
    c.sub = std::move(*sub);
    c.sid = std::move(*sid);
    c.jti = std::move(*jti);
    c.role = std::move(*role);
    c.iat = *iat;
    c.exp = *exp;
    return c;
}

}  // namespace wx::auth
