// The bodies of WeChat's 2xx answers: jscode2session (parse_session), getStableAccessToken
// (parse_access_token) and getuserphonenumber (parse_phone_info), each given the same bytes, and
// rid_of() on what could be an errmsg. A reply the parsers accept must keep their promises: a
// non-empty openid and a base64 session_key of 16 bytes, a positive expires_in, non-empty phone
// numbers; a refusal is errcode_error(n) or bad_response, never an exception.
#include <sodium.h>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "wechat/client.hpp"

namespace {

bool is_base64_of_16_bytes(std::string_view s) {
    unsigned char out[16];
    std::size_t len = 0;
    char const* end = nullptr;
    return sodium_base642bin(out, sizeof out, s.data(), s.size(), nullptr, &len, &end,
                             sodium_base64_VARIANT_ORIGINAL) == 0 &&
           len == sizeof out && end == s.data() + s.size();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static bool const ready = sodium_init() >= 0;
    if (!ready) __builtin_trap();
    std::string_view body{reinterpret_cast<char const*>(data), size};

    if (auto s = wx::wechat::parse_session(body)) {
        if (s->openid.empty() || !is_base64_of_16_bytes(s->session_key)) __builtin_trap();
        if (s->unionid && s->unionid->empty()) __builtin_trap();
    }
    if (auto t = wx::wechat::parse_access_token(body)) {
        if (t->token.empty() || t->expires_in <= 0) __builtin_trap();
    }
    if (auto p = wx::wechat::parse_phone_info(body)) {
        if (p->phone_number.empty() || p->pure_phone_number.empty() || p->country_code.empty()) __builtin_trap();
    }
    std::string rid = wx::wechat::rid_of(body);
    if (rid.size() > 64) __builtin_trap();
    return 0;
}
