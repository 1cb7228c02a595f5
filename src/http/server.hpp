#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_set>

#include "core/io_pool.hpp"
#include "http/router.hpp"

namespace wx::http {

struct ServerConfig {
    std::string host = "127.0.0.1";
    std::uint16_t port = 8080;
    std::size_t max_connections = 10000;
    std::chrono::milliseconds idle_timeout{60000};  // keep-alive: waiting for a request's first byte
    std::chrono::milliseconds read_timeout{10000};  // from the first byte to the complete request
    std::chrono::milliseconds write_timeout{10000};
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 64 * 1024;
    std::string tls_cert_file;  // both set: serve HTTPS only (TLS 1.2+, tls_context.hpp)
    std::string tls_key_file;
};

// Accepts connections and runs one coroutine per connection on one of the IoPool's contexts. The
// coroutine frame owns the stream, the buffer and the connection permit; every read has a deadline
// and the header and body limits answer 431 / 413 and close.
// Thread safety: start() once; begin_drain()/wait_drained() from the controlling thread;
// the observers may be called from any thread.
class Server {
public:
    Server(ServerConfig cfg, Router const& router, IoPool& io);
    Server(Server const&) = delete;
    Server& operator=(Server const&) = delete;
    ~Server();

    // Binds and listens; throws std::runtime_error naming the address when that fails.
    void start();
    [[nodiscard]] std::uint16_t port() const { return port_; }

    // Stops accepting, closes idle keep-alive connections, and makes busy ones close after
    // their current response.
    void begin_drain();
    // Waits until every connection has closed or `grace` has passed; true when drained.
    bool wait_drained(std::chrono::milliseconds grace);

    // HTTPS: reads the certificate and key files again (SIGHUP). New connections use the new
    // ones; live connections keep theirs and are not dropped. A file that does not load keeps the
    // old certificate serving and logs why. True when the new files were taken (false without TLS).
    bool reload_tls();

    [[nodiscard]] std::size_t live_connections() const { return live_.load(std::memory_order_relaxed); }
    [[nodiscard]] bool draining() const { return draining_.load(std::memory_order_relaxed); }

private:
    class Permit;
    struct Slot;

    Task<> accept_loop();
    template <class Stream>
    Task<> session(Stream stream, Permit permit);
    Task<> tls_session(boost::beast::tcp_stream stream, Permit permit, std::shared_ptr<asio::ssl::context> tls);
    [[nodiscard]] std::shared_ptr<asio::ssl::context> current_tls() const;
    template <class Stream>
    Task<> refuse_overloaded(Stream stream);
    Task<Response> handle(Request& req, RequestContext& ctx) const;
    std::shared_ptr<Slot> register_slot(boost::beast::tcp_stream& lowest);
    void unregister_slot(std::shared_ptr<Slot> const& slot);

    ServerConfig cfg_;
    Router const& router_;
    IoPool& io_;
    // Swapped whole by reload_tls(); each TLS connection holds the one it started with.
    std::shared_ptr<asio::ssl::context> tls_;
    mutable std::mutex tls_mutex_;
    std::optional<asio::ip::tcp::acceptor> acceptor_;
    std::uint16_t port_ = 0;
    std::atomic<std::size_t> live_{0};
    std::atomic<bool> draining_{false};
    std::mutex slots_mutex_;
    std::unordered_set<std::shared_ptr<Slot>> slots_;
};

}  // namespace wx::http
