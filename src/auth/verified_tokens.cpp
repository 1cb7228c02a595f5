#include "auth/verified_tokens.hpp"

#include <array>
#include <cstring>
#include <memory>
#include <string>

namespace wx::auth {
namespace {

struct Slot {
    std::uint64_t codec_id = 0;  // 0: empty (codec ids start at 1)
    std::string token;
    VerifiedTokens::Entry entry;
};

// The slot for a token: its last eight bytes are signature text, uniformly spread for genuine
// tokens. A crafted token can pick its slot, but only a verified one is ever stored.
std::size_t slot_of(std::string_view token) {
    std::uint64_t h = 1469598103934665603ULL;  // FNV-1a
    for (std::size_t i = token.size() > 8 ? token.size() - 8 : 0; i < token.size(); ++i)
        h = (h ^ static_cast<unsigned char>(token[i])) * 1099511628211ULL;
    return static_cast<std::size_t>(h % VerifiedTokens::kSlots);
}

// Whether two texts of equal length are equal, in time that depends on the length only (no early
// exit), a word at a time: sodium_memcmp goes byte by byte through a volatile, and was 3 % of a
// /users/me request's samples.
bool equal_in_constant_time(char const* a, char const* b, std::size_t n) {
    std::uint64_t diff = 0;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x = 0;
        std::uint64_t y = 0;
        std::memcpy(&x, a + i, 8);
        std::memcpy(&y, b + i, 8);
        diff |= x ^ y;
    }
    for (; i < n; ++i) diff |= static_cast<std::uint64_t>(static_cast<unsigned char>(a[i] ^ b[i]));
    return diff == 0;
}

std::array<Slot, VerifiedTokens::kSlots>& slots() {
    thread_local auto table = std::make_unique<std::array<Slot, VerifiedTokens::kSlots>>();
    return *table;
}

}  // namespace

VerifiedTokens::Entry const* VerifiedTokens::find(std::uint64_t codec_id, std::string_view token) {
    auto const& s = slots()[slot_of(token)];
    if (s.codec_id != codec_id || s.token.size() != token.size() ||
        !equal_in_constant_time(s.token.data(), token.data(), token.size()))
        return nullptr;
    return &s.entry;
}

void VerifiedTokens::remember(std::uint64_t codec_id, std::string_view token, Entry entry) {
    auto& s = slots()[slot_of(token)];
    s.codec_id = codec_id;
    s.token.assign(token);
    s.entry = std::move(entry);
}

}  // namespace wx::auth
