#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "auth/jwt.hpp"

namespace wx::auth {

// The access tokens this thread verified last, with their claims: a client sends the same token
// with every request until it expires, and the signature check and the claims parse are then most
// of an authenticated request's own work (docs/performance.md). Only tokens that passed the whole
// check are kept; a hit still checks the time window (expiry, iat/nbf), and revocation is the
// caller's check as before. The presented token is compared with the kept one in constant time,
// so timing says nothing about how much of a forged token matches a real one.
//
// Per thread (STYLE.md rule 13: the I/O threads never share it, so no lock), kSlots entries
// chosen by the token's last bytes (its signature), allocated on first use; entries belong to one
// JwtCodec instance (its id), so a codec with other keys never sees another's tokens.
class VerifiedTokens {
public:
    static constexpr std::size_t kSlots = 128;

    struct Entry {
        Claims claims;
        std::int64_t valid_from = 0;  // the first `now` at which iat and nbf pass, leeway included
    };

    // The entry for exactly `token`, verified by codec `codec_id` on this thread, or null. The
    // pointer is good until this thread's next remember().
    [[nodiscard]] static Entry const* find(std::uint64_t codec_id, std::string_view token);
    static void remember(std::uint64_t codec_id, std::string_view token, Entry entry);
};

}  // namespace wx::auth
