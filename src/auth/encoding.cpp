#include "auth/encoding.hpp"

#include <openssl/rand.h>
#include <sodium.h>

#include <array>

namespace wx::auth {
namespace {

std::string encode(std::span<unsigned char const> bytes, int variant) {
    std::string out(sodium_base64_encoded_len(bytes.size(), variant), '\0');
    sodium_bin2base64(out.data(), out.size(), bytes.data(), bytes.size(), variant);
    out.resize(out.size() - 1);  // the terminating NUL
    return out;
}

std::optional<std::vector<unsigned char>> decode(std::string_view text, int variant) {
    std::vector<unsigned char> out(text.size() * 3 / 4 + 3);
    std::size_t len = 0;
    char const* end = nullptr;
    if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end, variant) != 0 ||
        end != text.data() + text.size())
        return std::nullopt;
    out.resize(len);
    return out;
}

}  // namespace

namespace {

constexpr char kUrlAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

constexpr std::array<signed char, 256> url_table() {
    std::array<signed char, 256> t{};
    for (auto& v : t) v = -1;
    for (int i = 0; i < 64; ++i) t[static_cast<unsigned char>(kUrlAlphabet[i])] = static_cast<signed char>(i);
    return t;
}
constexpr auto kUrlTable = url_table();

}  // namespace

std::string base64url_encode(std::span<unsigned char const> bytes) {
    std::string out;
    out.reserve((bytes.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        unsigned v = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
        out += kUrlAlphabet[(v >> 18) & 63];
        out += kUrlAlphabet[(v >> 12) & 63];
        out += kUrlAlphabet[(v >> 6) & 63];
        out += kUrlAlphabet[v & 63];
    }
    if (std::size_t rest = bytes.size() - i; rest > 0) {
        unsigned v = bytes[i] << 16;
        if (rest == 2) v |= bytes[i + 1] << 8;
        out += kUrlAlphabet[(v >> 18) & 63];
        out += kUrlAlphabet[(v >> 12) & 63];
        if (rest == 2) out += kUrlAlphabet[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> base64url_decode(std::string_view text) {
    if (text.size() % 4 == 1) return std::nullopt;
    std::string out;
    out.reserve(text.size() * 3 / 4);
    unsigned acc = 0;
    int bits = 0;
    for (unsigned char c : text) {
        int v = kUrlTable[c];
        if (v < 0) return std::nullopt;
        acc = (acc << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((acc >> bits) & 0xFF);
        }
    }
    // Canonical encodings only: the unused low bits of the last character must be zero.
    if (bits > 0 && (acc & ((1u << bits) - 1)) != 0) return std::nullopt;
    return out;
}
std::string secret_base64url_encode(std::span<unsigned char const> bytes) {
    return encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
std::optional<std::vector<unsigned char>> secret_base64url_decode(std::string_view text) {
    return decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
std::string base64_encode(std::span<unsigned char const> bytes) {
    return encode(bytes, sodium_base64_VARIANT_ORIGINAL);
}
std::optional<std::vector<unsigned char>> base64_decode(std::string_view text) {
    return decode(text, sodium_base64_VARIANT_ORIGINAL);
}

std::string hex_encode(std::span<unsigned char const> bytes) {
    std::string out(bytes.size() * 2 + 1, '\0');
    sodium_bin2hex(out.data(), out.size(), bytes.data(), bytes.size());
    out.pop_back();
    return out;
}

std::vector<unsigned char> random_bytes(std::size_t n) {
    // OpenSSL's DRBG (seeded from the OS, per-thread, reseeded on fork): no getrandom(2) per call,
    // which libsodium's randombytes makes and which showed up in the login profile.
    std::vector<unsigned char> out(n);
    if (RAND_bytes(out.data(), static_cast<int>(n)) != 1) randombytes_buf(out.data(), n);
    return out;
}

}  // namespace wx::auth
