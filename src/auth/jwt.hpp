#pragma once
// Access tokens: JWTs (RFC 7519) signed with HS256. Verification accepts exactly the configured
// algorithm and header, checks the signature in constant time, then exp, iat/nbf (with leeway),
// iss and aud.

#include <boost/system/error_category.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

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

    [[nodiscard]] std::string sign(Claims const& claims) const;
    [[nodiscard]] result<Claims> verify(std::string_view token) const;
    [[nodiscard]] std::string_view algorithm() const { return "HS256"; }

private:
    HmacSha256 mac_;
    JwtSettings settings_;
    Clock const& clock_;
    std::string header_b64_;  // the exact header segment we issue
};

}  // namespace wx::auth

template <>
struct boost::system::is_error_code_enum<wx::auth::JwtErrc> : std::true_type {};
