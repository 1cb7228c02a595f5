#pragma once
// A small synchronous HTTP/1.1 client for tests, over Beast. Every operation has a deadline, so a
// test can fail but never hang; only 127.0.0.1 is ever dialled.

#include <boost/asio/io_context.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wx::test {

inline constexpr std::chrono::milliseconds kDefaultTimeout{5000};

struct CaseInsensitiveLess {
    using is_transparent = void;
    bool operator()(std::string_view a, std::string_view b) const noexcept;
};

// Header name -> value; a repeated header's values are joined with ", ".
using HeaderMap = std::map<std::string, std::string, CaseInsensitiveLess>;

// Request headers in sending order. A header given with an empty value removes a default one
// (Host, Content-Type) instead of sending it.
using Headers = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
    unsigned status = 0;  // 0: no response (see transport_error)
    HeaderMap headers;
    std::string body;
    boost::json::value json;  // null unless the body parsed as JSON
    std::string transport_error;

    [[nodiscard]] bool has_header(std::string_view name) const { return headers.find(name) != headers.end(); }
    // The header's value, or "" when absent.
    [[nodiscard]] std::string header(std::string_view name) const;
    // error.code of an error envelope, or "" when the body is not one.
    [[nodiscard]] std::string error_code() const;
    // request_id of an error envelope, or "".
    [[nodiscard]] std::string envelope_request_id() const;
};

// Parses the first final (non-1xx) response in raw bytes; nullopt when there is no complete one.
[[nodiscard]] std::optional<HttpResult> parse_response(std::string_view bytes);

// One TCP connection to 127.0.0.1:port driven step by step, for tests that interleave writes,
// reads and signals. Each call waits at most `timeout`.
// Thread safety: none; one thread drives a connection.
class RawConnection {
public:
    explicit RawConnection(std::uint16_t port, std::chrono::milliseconds timeout = kDefaultTimeout);
    RawConnection(RawConnection const&) = delete;
    RawConnection& operator=(RawConnection const&) = delete;
    ~RawConnection();

    // Whether the connect succeeded; when not, error() says why (e.g. connection_refused).
    [[nodiscard]] bool connected() const { return connected_; }
    [[nodiscard]] boost::system::error_code const& error() const { return error_; }

    // Writes all bytes; false (and error() set) when the write failed or timed out.
    bool send(std::string_view bytes);
    // Reads until `marker` is among the bytes received, the peer closes, or the deadline passes.
    bool read_until(std::string_view marker);
    // Reads until the peer closes (EOF or reset); false when the deadline passed first.
    bool read_until_closed();
    // Reads one complete final response (interim 1xx answers are skipped).
    [[nodiscard]] HttpResult read_response();

    // Everything received and not yet consumed by read_response().
    [[nodiscard]] std::string received() const;
    // The peer closed its side (EOF or reset seen by a read).
    [[nodiscard]] bool peer_closed() const { return peer_closed_; }
    [[nodiscard]] bool write_failed() const { return write_failed_; }
    // Whether the last response read allows another request on this connection.
    [[nodiscard]] bool last_keep_alive() const { return last_keep_alive_; }
    void close();

private:
    void run();
    bool read_some();

    boost::asio::io_context ioc_;
    boost::beast::tcp_stream stream_;
    boost::beast::flat_buffer buffer_;
    std::chrono::milliseconds timeout_;
    boost::system::error_code error_;
    bool connected_ = false;
    bool peer_closed_ = false;
    bool last_keep_alive_ = false;
    bool write_failed_ = false;
};

struct RawResult {
    std::string bytes;       // everything the server sent
    bool closed = false;     // the server closed the connection (EOF or reset) before the deadline
    bool connected = false;  // the connect succeeded
    [[nodiscard]] std::optional<HttpResult> response() const { return parse_response(bytes); }
};

// Requests over one keep-alive connection to 127.0.0.1:port, reconnecting when the server
// closed it. Sets Host, and Content-Type: application/json when there is a body.
// Thread safety: none.
class HttpClient {
public:
    explicit HttpClient(std::uint16_t port, std::chrono::milliseconds timeout = kDefaultTimeout);

    HttpResult request(std::string_view method,
                       std::string_view target,
                       std::string_view body = {},
                       Headers const& headers = {});
    HttpResult get(std::string_view target, Headers const& headers = {}) { return request("GET", target, {}, headers); }
    HttpResult post(std::string_view target, std::string_view body, Headers const& headers = {}) {
        return request("POST", target, body, headers);
    }

    // Writes bytes on a fresh connection and returns everything read until the server closes it
    // or the deadline passes. A failed write (the server closed early) still reads what arrived.
    [[nodiscard]] RawResult raw(std::string_view bytes) const;

    // Connections opened by request() so far: 1 after two requests means keep-alive worked.
    [[nodiscard]] std::size_t connects() const { return connects_; }
    [[nodiscard]] bool connected() const { return conn_.has_value(); }
    void close() { conn_.reset(); }
    [[nodiscard]] std::uint16_t port() const { return port_; }

private:
    std::uint16_t port_;
    std::chrono::milliseconds timeout_;
    std::optional<RawConnection> conn_;
    std::size_t connects_ = 0;
};

}  // namespace wx::test
