#pragma once
// Access tokens: JWTs (RFC 7519) signed with HS256 or, when an Ed25519 key file is configured,
// EdDSA (RFC 8037) with a `kid`. Verification accepts exactly the header segments we issue (no
// algorithm negotiation: alg confusion and `none` cannot reach a signature check), checks the
// signature, then exp, iat/nbf (with leeway), iss and aud.

#include <boost/system/error_category.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/ed25519_keys.hpp"
#include "auth/hmac_sha256.hpp"
#include "core/clock.hpp"
#include "core/task.hpp"

namespace wx::auth {

enum class JwtErrc {
    malformed = 1,  // not three base64url parts, or claims missing / of the wrong type
    bad_algorithm,  // a header other than ours: another alg, `none`, an unknown kid
    bad_signature,
    expired,
    not_yet_valid,  // iat or nbf in the future beyond the leeway
    wrong_issuer,
    wrong_audience,
};
[[nodiscard]] boost::system::error_category const& jwt_category() noexcept;
[[nodiscard]] inline error_code make_error_code(JwtErrc e) noexcept { return {static_cast<int>(e), jwt_category()}; }

struct Claims {
    std::string sub;  // user id as a decimal string
    std::string sid;  // login session id
    std::string jti;
    std::string role;
    std::int64_t iat = 0;
    std::int64_t exp = 0;
};

struct JwtSettings {
    std::string issuer = "wxlogin";
    std::string audience;  // empty: no aud claim is issued or accepted
    std::int64_t leeway = 30;
};

// Thread safety: const member functions may be called concurrently.
class JwtCodec {
public:
    JwtCodec(std::string hs256_secret, JwtSettings settings, Clock const& clock);
    // EdDSA: signs with keys.signing_key(), verifies with any key of the set (selected by kid).
    JwtCodec(Ed25519KeySet keys, JwtSettings settings, Clock const& clock);

    [[nodiscard]] std::string sign(Claims const& claims) const;
    // A token this thread verified before is answered from VerifiedTokens, its time window checked
    // again; anything else is verified in full.
    [[nodiscard]] result<Claims> verify(std::string_view token) const;
    [[nodiscard]] std::string_view algorithm() const { return mac_ ? "HS256" : "EdDSA"; }
    // The JWK Set (RFC 7517, RFC 8037) of every verification key, signing key first, for
    // /.well-known/jwks.json; empty under HS256, whose secret is never published.
    [[nodiscard]] std::string const& jwks_json() const { return jwks_json_; }

private:
    // The claims of a signed payload, and in *valid_from the first time at which its iat and nbf
    // pass (for VerifiedTokens, which keeps both).
    [[nodiscard]] result<Claims> check_claims(std::string_view payload_b64, std::int64_t* valid_from) const;
    [[nodiscard]] result<Claims> verify_signed(std::string_view token, std::int64_t* valid_from) const;

    std::optional<HmacSha256> mac_;         // HS256 only
    std::optional<Ed25519KeySet> ed25519_;  // EdDSA only
    JwtSettings settings_;
    Clock const& clock_;
    // The exact header segments we issue: one under HS256; one per key (same order) under EdDSA,
    // the signing key's first.
    std::vector<std::string> headers_b64_;
    std::string jwks_json_;
    std::uint64_t id_;  // this codec's own, for VerifiedTokens: another codec's keys differ
};

}  // namespace wx::auth

template <>
struct boost::system::is_error_code_enum<wx::auth::JwtErrc> : std::true_type {};
