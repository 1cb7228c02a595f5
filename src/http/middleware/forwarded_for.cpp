#include "http/middleware/forwarded_for.hpp"

#include <algorithm>
#include <boost/asio/ip/address.hpp>
#include <optional>

#include "http/header_value.hpp"

namespace wx::http {
namespace ip = boost::asio::ip;
namespace {

// One X-Forwarded-For entry as an address: "1.2.3.4", "1.2.3.4:5678", "2001:db8::1" or
// "[2001:db8::1]:443" (some proxies add the port). Normalised text, or nullopt for garbage.
std::optional<std::string> forwarded_address(std::string_view entry) {
    if (!entry.empty() && entry.front() == '[') {
        auto close = entry.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        entry = entry.substr(1, close - 1);
    } else if (std::count(entry.begin(), entry.end(), ':') == 1) {
        entry = entry.substr(0, entry.find(':'));
    }
    boost::system::error_code ec;
    auto addr = ip::make_address(std::string{entry}, ec);
    if (ec) return std::nullopt;
    return addr.to_string();
}

}  // namespace

boost::system::result<TrustedProxies, std::string> TrustedProxies::parse(std::string_view list) {
    TrustedProxies out;
    while (!list.empty()) {
        auto comma = list.find(',');
        std::string entry{trim_ows(list.substr(0, comma))};
        list = comma == std::string_view::npos ? std::string_view{} : list.substr(comma + 1);
        if (entry.empty()) continue;
        boost::system::error_code ec;
        if (entry.find('/') == std::string::npos) {
            auto addr = ip::make_address(entry, ec);
            if (!ec && addr.is_v4()) out.v4_.emplace_back(addr.to_v4(), 32);
            if (!ec && addr.is_v6()) out.v6_.emplace_back(addr.to_v6(), 128);
        } else if (entry.find(':') == std::string::npos) {
            auto net = ip::make_network_v4(entry, ec);
            if (!ec) out.v4_.push_back(net.canonical());
        } else {
            auto net = ip::make_network_v6(entry, ec);
            if (!ec) out.v6_.push_back(net.canonical());
        }
        if (ec) return {boost::system::in_place_error, "not an address or network: " + entry};
    }
    return out;
}

bool TrustedProxies::contains(std::string_view address) const {
    boost::system::error_code ec;
    auto addr = ip::make_address(std::string{address}, ec);
    if (ec) return false;
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) addr = ip::make_address_v4(ip::v4_mapped, addr.to_v6());
    if (addr.is_v4()) {
        for (auto const& net : v4_)
            if (ip::network_v4(addr.to_v4(), 32).is_subnet_of(net) || net.address() == addr.to_v4()) return true;
        return false;
    }
    for (auto const& net : v6_)
        if (ip::network_v6(addr.to_v6(), 128).is_subnet_of(net) || net.address() == addr.to_v6()) return true;
    return false;
}

std::string TrustedProxies::client_address(std::string_view peer, std::string_view forwarded_for) const {
    if (!contains(peer)) return std::string{peer};
    std::string client{peer};
    while (!forwarded_for.empty()) {
        auto comma = forwarded_for.rfind(',');
        std::string_view entry =
            trim_ows(comma == std::string_view::npos ? forwarded_for : forwarded_for.substr(comma + 1));
        forwarded_for = comma == std::string_view::npos ? std::string_view{} : forwarded_for.substr(0, comma);
        auto address = forwarded_address(entry);
        if (!address) break;  // garbage: stop at the last address we could vouch for
        client = std::move(*address);
        if (!contains(client)) break;
    }
    return client;
}

Task<Response> ForwardedFor::handle(Request& req, RequestContext& ctx, Next next) const {
    // Several X-Forwarded-For headers are one list, in order (RFC 9110 §5.3).
    std::string forwarded;
    for (auto [it, end] = req.equal_range("X-Forwarded-For"); it != end; ++it) {
        if (!forwarded.empty()) forwarded += ',';
        forwarded.append(it->value().data(), it->value().size());
    }
    if (!forwarded.empty()) ctx.client_address = proxies_.client_address(ctx.client_address, forwarded);
    co_return co_await next(req, ctx);
}

}  // namespace wx::http
