#include "auth/encoding.hpp"

#include <sodium.h>

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

std::string base64url_encode(std::span<unsigned char const> bytes) {
    return encode(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
std::optional<std::vector<unsigned char>> base64url_decode(std::string_view text) {
    return decode(text, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}
std::string base64_encode(std::span<unsigned char const> bytes) { return encode(bytes, sodium_base64_VARIANT_ORIGINAL); }
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
    std::vector<unsigned char> out(n);
    randombytes_buf(out.data(), n);
    return out;
}

}  // namespace wx::auth
