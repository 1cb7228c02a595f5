#pragma once

#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <boost/system/result.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "http/pipeline.hpp"

namespace wx::http {

// The networks whose connections are our own reverse proxies.
// Thread safety: immutable after construction.
class TrustedProxies {
public:
    // Trusts no one.
    TrustedProxies() = default;
    // Comma-separated addresses or CIDR networks ("10.0.0.0/8, 127.0.0.1, ::1"); the error names
    // the bad entry.
    [[nodiscard]] static boost::system::result<TrustedProxies, std::string> parse(std::string_view list);
    [[nodiscard]] bool empty() const { return v4_.empty() && v6_.empty(); }
    [[nodiscard]] bool contains(std::string_view address) const;

    // The client of a request that reached us from `peer` with this X-Forwarded-For value: the
    // right-most entry that is not a trusted proxy, walking from the peer outwards. Entries left
    // of it were written by the client and are not believed. The peer itself when it is not trusted.
    [[nodiscard]] std::string client_address(std::string_view peer, std::string_view forwarded_for) const;

private:
    std::vector<boost::asio::ip::network_v4> v4_;
    std::vector<boost::asio::ip::network_v6> v6_;
};

// Replaces ctx.client_address (the socket peer) with the forwarded client when the peer is a
// trusted proxy, so that logs and per-address rate limits see the real client. Installed only
// when WXLOGIN_TRUSTED_PROXIES is set: without it X-Forwarded-For is ignored, since anyone can send it.
class ForwardedFor final : public Middleware {
public:
    explicit ForwardedFor(TrustedProxies const& proxies) : proxies_(proxies) {}
    Task<Response> handle(Request& req, RequestContext& ctx, Next next) const override;

private:
    TrustedProxies const& proxies_;
};

}  // namespace wx::http
