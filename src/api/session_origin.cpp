#include "api/session_origin.hpp"

#include "obs/mask.hpp"

namespace wx::api {
namespace {

constexpr std::size_t kMaxUserAgentChars = 256;

// The length of the well-formed UTF-8 sequence at s[i] (1 to 4), or 0 when it is not one
// (overlong forms, surrogates and values above U+10FFFF included).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
    auto const byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char const c = byte(i);
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else
        return 0;
    if (i + n > s.size()) return 0;
    if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
    for (std::size_t k = 2; k < n; ++k)
        if (byte(i + k) < 0x80 || byte(i + k) > 0xBF) return 0;
    return n;
}

}  // namespace

std::optional<std::string> clean_user_agent(std::string_view raw) {
    std::string out;
    std::size_t chars = 0;
    for (std::size_t i = 0; i < raw.size() && chars < kMaxUserAgentChars;) {
        std::size_t const n = utf8_sequence(raw, i);
        if (n == 0) {
            ++i;  // not UTF-8: dropped
            continue;
        }
        auto const c = static_cast<unsigned char>(raw[i]);
        bool const control = n == 1 && (c < 0x20 || c == 0x7F);
        // C1 controls (U+0080..U+009F) are two bytes, C2 80..C2 9F.
        bool const c1 = n == 2 && c == 0xC2 && static_cast<unsigned char>(raw[i + 1]) < 0xA0;
        if (!control && !c1) {
            out.append(raw.substr(i, n));
            ++chars;
        }
        i += n;
    }
    auto const first = out.find_first_not_of(' ');
    if (first == std::string::npos) return std::nullopt;
    out.erase(0, first);
    out.erase(out.find_last_not_of(' ') + 1);
    return out;
}

SessionOrigin session_origin(http::Request const& req, http::RequestContext const& ctx, std::string method) {
    SessionOrigin o;
    o.method = std::move(method);
    if (auto it = req.find(http::bhttp::field::user_agent); it != req.end())
        o.user_agent = clean_user_agent(it->value());
    if (std::string masked = obs::mask_ip(ctx.client_address); !masked.empty()) o.client_ip = std::move(masked);
    return o;
}

}  // namespace wx::api
