#include "auth/verified_tokens.hpp"

#include <sodium.h>

#include <array>
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

std::array<Slot, VerifiedTokens::kSlots>& slots() {
    thread_local auto table = std::make_unique<std::array<Slot, VerifiedTokens::kSlots>>();
    return *table;
}

}  // namespace

VerifiedTokens::Entry const* VerifiedTokens::find(std::uint64_t codec_id, std::string_view token) {
    auto const& s = slots()[slot_of(token)];
    if (s.codec_id != codec_id || s.token.size() != token.size() ||
        sodium_memcmp(s.token.data(), token.data(), token.size()) != 0)
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
