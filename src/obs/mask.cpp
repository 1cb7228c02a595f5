#include "obs/mask.hpp"

#include <algorithm>
#include <array>
#include <boost/asio/ip/address.hpp>
#include <cctype>
#include <cstdio>

namespace wx::obs {
namespace {

constexpr std::array<std::string_view, 7> kSecretParams = {"secret",        "js_code",  "code",       "access_token",
                                                           "refresh_token", "password", "session_key"};

bool is_secret_param(std::string_view name) {
    return std::find(kSecretParams.begin(), kSecretParams.end(), name) != kSecretParams.end();
}

}  // namespace

std::string mask_secret(std::string_view value) { return value.empty() ? std::string{} : std::string{"***"}; }

std::string mask_token(std::string_view token) {
    if (token.empty()) return {};
    std::string out{token.substr(0, std::min<std::size_t>(4, token.size() / 4))};
    out += "...(";
    out += std::to_string(token.size());
    out += ")";
    return out;
}

std::string mask_phone(std::string_view phone) {
    std::string out{phone};
    std::size_t digits = std::count_if(phone.begin(), phone.end(), [](unsigned char c) { return std::isdigit(c); });
    // Real numbers hide the 4 digits before the last 4 (13812345678 -> 138****5678, and a country
    // code stays visible: +8613812345678 -> +86138****5678); short ones keep their last two.
    std::size_t keep_tail = digits >= 9 ? 4 : std::min<std::size_t>(2, digits / 2);
    std::size_t keep_head = digits >= 9 ? digits - 8 : 0;
    std::size_t seen = 0;
    for (char& c : out) {
        if (!std::isdigit(static_cast<unsigned char>(c))) continue;
        if (seen >= keep_head && seen < digits - keep_tail) c = '*';
        ++seen;
    }
    return out;
}

std::string mask_email(std::string_view email) {
    auto at = email.rfind('@');
    if (at == std::string_view::npos) return mask_secret(email);
    std::string out;
    if (at > 0) out += email.front();
    out += "***";
    out += email.substr(at);
    return out;
}

std::string mask_openid(std::string_view openid) {
    if (openid.size() <= 6) return std::string(openid.size(), '*');
    return std::string{openid.substr(0, 6)} + "***";
}

std::string mask_url(std::string_view url) {
    auto q = url.find('?');
    if (q == std::string_view::npos) return std::string{url};
    std::string out{url.substr(0, q + 1)};
    std::string_view query = url.substr(q + 1);
    bool first = true;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (!first) out += '&';
        first = false;
        auto eq = pair.find('=');
        std::string_view name = pair.substr(0, eq);
        if (eq != std::string_view::npos && is_secret_param(name)) {
            out += name;
            out += "=***";
        } else {
            out += pair;
        }
    }
    return out;
}

std::string mask_ip(std::string_view address) {
    boost::system::error_code ec;
    auto const ip = boost::asio::ip::make_address(std::string{address}, ec);
    if (ec) return {};
    if (ip.is_v6() && ip.to_v6().is_v4_mapped())
        return mask_ip(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, ip.to_v6()).to_string());
    if (ip.is_v4()) {
        auto const b = ip.to_v4().to_bytes();
        return std::to_string(b[0]) + "." + std::to_string(b[1]) + "." + std::to_string(b[2]) + ".x";
    }
    auto const b = ip.to_v6().to_bytes();
    char out[32];
    std::snprintf(out, sizeof out, "%x:%x:%x::x", (b[0] << 8) | b[1], (b[2] << 8) | b[3], (b[4] << 8) | b[5]);
    return out;
}

}  // namespace wx::obs
