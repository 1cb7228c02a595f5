#include "http/request_id.hpp"

#include <sodium.h>

#include <cstdint>
#include <random>

namespace wx::http {

bool is_sane_request_id(std::string_view id) noexcept {
    if (id.empty() || id.size() > 128) return false;
    for (char c : id) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
                  c == ':' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// A per-thread generator (STYLE.md rule 13 names it): request ids need to be unique, not secret,
// and libsodium's randombytes is a getrandom(2) call per request.
std::string new_request_id() {
    thread_local std::mt19937_64 gen = [] {
        std::seed_seq seq{randombytes_random(), randombytes_random(), randombytes_random(), randombytes_random()};
        return std::mt19937_64{seq};
    }();
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out(32, '0');
    for (int half = 0; half < 2; ++half) {
        std::uint64_t v = gen();
        for (int i = 0; i < 16; ++i) out[half * 16 + i] = kHex[(v >> (i * 4)) & 0xF];
    }
    return out;
}

}  // namespace wx::http
