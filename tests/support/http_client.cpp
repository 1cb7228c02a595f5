#include "support/http_client.hpp"

#include <algorithm>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/address_v4.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/parse.hpp>
#include <cctype>

namespace wx::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using boost::system::error_code;
using tcp = asio::ip::tcp;

namespace {

constexpr std::size_t kReadChunk = 4096;
constexpr std::uint64_t kMaxResponseBody = 64 * 1024 * 1024;
constexpr std::uint32_t kMaxResponseHeader = 1024 * 1024;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
           });
}

bool is_closed_error(error_code const& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset || ec == bhttp::error::end_of_stream ||
           ec == asio::error::broken_pipe;
}

template <class Fields>
HttpResult to_result(bhttp::response<bhttp::string_body, Fields> const& res) {
    HttpResult out;
    out.status = res.result_int();
    for (auto const& f : res) {
        std::string name{f.name_string()};
        auto [it, inserted] = out.headers.try_emplace(name, std::string{f.value()});
        if (!inserted) {
            it->second += ", ";
            it->second += f.value();
        }
    }
    out.body = res.body();
    if (!out.body.empty()) {
        error_code ec;
        boost::json::value v = boost::json::parse(out.body, ec);
        if (!ec) out.json = std::move(v);
    }
    return out;
}

}  // namespace

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const noexcept {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
        return std::tolower(static_cast<unsigned char>(x)) < std::tolower(static_cast<unsigned char>(y));
    });
}

std::string HttpResult::header(std::string_view name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string{} : it->second;
}

std::string HttpResult::error_code() const {
    if (!json.is_object()) return {};
    auto const* err = json.as_object().if_contains("error");
    if (!err || !err->is_object()) return {};
    auto const* code = err->as_object().if_contains("code");
    if (!code || !code->is_string()) return {};
    return std::string{code->as_string()};
}

std::string HttpResult::envelope_request_id() const {
    if (!json.is_object()) return {};
    auto const* id = json.as_object().if_contains("request_id");
    if (!id || !id->is_string()) return {};
    return std::string{id->as_string()};
}

std::optional<HttpResult> parse_response(std::string_view bytes) {
    beast::flat_buffer buffer;
    auto dst = buffer.prepare(bytes.size());
    asio::buffer_copy(dst, asio::buffer(bytes.data(), bytes.size()));
    buffer.commit(bytes.size());
    for (;;) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.eager(true);
        parser.body_limit(kMaxResponseBody);
        parser.header_limit(kMaxResponseHeader);
        error_code ec;
        while (!parser.is_done()) {
            std::size_t used = parser.put(buffer.data(), ec);
            buffer.consume(used);
            if (ec == bhttp::error::need_more) {
                if (buffer.size() > 0 && used > 0) continue;
                if (!parser.got_some()) return std::nullopt;
                // No more bytes: a body delimited by the end of the connection ends here.
                parser.put_eof(ec);
                if (ec) return std::nullopt;
                break;
            }
            if (ec) return std::nullopt;
        }
        if (!parser.is_done()) return std::nullopt;
        auto res = parser.release();
        if (res.result_int() / 100 == 1) continue;  // 100 Continue and friends
        return to_result(res);
    }
}

RawConnection::RawConnection(std::uint16_t port, std::chrono::milliseconds timeout) : stream_(ioc_), timeout_(timeout) {
    tcp::endpoint ep{asio::ip::address_v4::loopback(), port};
    stream_.expires_after(timeout_);
    error_code result;
    stream_.async_connect(ep, [&](error_code ec) { result = ec; });
    run();
    error_ = result;
    connected_ = !result;
}

RawConnection::~RawConnection() { close(); }

void RawConnection::run() {
    // The stream's own deadline (expires_after) bounds every operation started before this.
    ioc_.restart();
    ioc_.run();
}

bool RawConnection::send(std::string_view bytes) {
    if (!connected_) return false;
    stream_.expires_after(timeout_);
    error_code result;
    asio::async_write(stream_, asio::buffer(bytes.data(), bytes.size()),
                      [&](error_code ec, std::size_t) { result = ec; });
    run();
    if (result) {
        error_ = result;  // the peer may still have answered before closing: reads will tell
        write_failed_ = true;
        return false;
    }
    return true;
}

bool RawConnection::read_some() {
    error_code result;
    std::size_t n = 0;
    stream_.async_read_some(buffer_.prepare(kReadChunk), [&](error_code ec, std::size_t k) {
        result = ec;
        n = k;
    });
    run();
    buffer_.commit(n);
    if (result) {
        error_ = result;
        if (is_closed_error(result)) peer_closed_ = true;
        return false;
    }
    return true;
}

bool RawConnection::read_until(std::string_view marker) {
    if (!connected_) return false;
    stream_.expires_after(timeout_);  // one deadline for the whole wait, however the bytes trickle in
    while (received().find(marker) == std::string::npos) {
        if (peer_closed_ || !read_some()) return received().find(marker) != std::string::npos;
    }
    return true;
}

bool RawConnection::read_until_closed() {
    if (!connected_) return false;
    stream_.expires_after(timeout_);
    while (!peer_closed_) {
        if (!read_some()) return peer_closed_;
    }
    return true;
}

HttpResult RawConnection::read_response() {
    HttpResult out;
    if (!connected_) {
        out.transport_error = "not connected: " + error_.message();
        return out;
    }
    stream_.expires_after(timeout_);
    for (;;) {
        bhttp::response_parser<bhttp::string_body> parser;
        parser.body_limit(kMaxResponseBody);
        parser.header_limit(kMaxResponseHeader);
        error_code result;
        bhttp::async_read(stream_, buffer_, parser, [&](error_code ec, std::size_t) { result = ec; });
        run();
        if (result) {
            error_ = result;
            if (is_closed_error(result)) peer_closed_ = true;
            out.transport_error = result.message();
            return out;
        }
        auto res = parser.release();
        if (res.result_int() / 100 == 1) continue;
        out = to_result(res);
        last_keep_alive_ = res.keep_alive();
        return out;
    }
}

std::string RawConnection::received() const { return beast::buffers_to_string(buffer_.data()); }

void RawConnection::close() {
    error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.socket().close(ignored);
    connected_ = false;
}

HttpClient::HttpClient(std::uint16_t port, std::chrono::milliseconds timeout) : port_(port), timeout_(timeout) {}

HttpResult HttpClient::request(std::string_view method,
                               std::string_view target,
                               std::string_view body,
                               Headers const& headers) {
    auto given = [&](std::string_view name) {
        return std::any_of(headers.begin(), headers.end(), [&](auto const& h) { return iequals(h.first, name); });
    };
    std::string wire;
    wire.reserve(256 + body.size());
    wire += method;
    wire += ' ';
    wire += target;
    wire += " HTTP/1.1\r\n";
    if (!given("Host")) wire += "Host: 127.0.0.1:" + std::to_string(port_) + "\r\n";
    if (!body.empty() && !given("Content-Type")) wire += "Content-Type: application/json\r\n";
    bool const needs_length = !body.empty() || method == "POST" || method == "PUT" || method == "PATCH";
    if (needs_length && !given("Content-Length") && !given("Transfer-Encoding"))
        wire += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    for (auto const& [name, value] : headers) {
        if (value.empty()) continue;
        wire += name;
        wire += ": ";
        wire += value;
        wire += "\r\n";
    }
    wire += "\r\n";
    wire += body;

    if (!conn_ || !conn_->connected() || conn_->peer_closed() || conn_->write_failed()) {
        conn_.emplace(port_, timeout_);
        ++connects_;
    }
    HttpResult out;
    if (!conn_->connected()) {
        out.transport_error = "connect failed: " + conn_->error().message();
        conn_.reset();
        return out;
    }
    if (!conn_->send(wire)) {
        // The server may have answered (e.g. 413) and closed before taking the whole body.
        out = conn_->read_response();
        if (out.status == 0) out.transport_error = "write failed: " + conn_->error().message();
        conn_.reset();
        return out;
    }
    out = conn_->read_response();
    if (out.status == 0 || !conn_->last_keep_alive()) conn_.reset();
    return out;
}

RawResult HttpClient::raw(std::string_view bytes) const {
    RawResult out;
    RawConnection conn{port_, timeout_};
    out.connected = conn.connected();
    if (!out.connected) return out;
    conn.send(bytes);  // a failed write still leaves the answer to read
    out.closed = conn.read_until_closed();
    out.bytes = conn.received();
    return out;
}

}  // namespace wx::test
