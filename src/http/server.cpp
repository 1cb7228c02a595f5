#include "http/server.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <stdexcept>
#include <thread>

#include "http/request_framing.hpp"
#include "http/request_id.hpp"
#include "http/tls_context.hpp"
#include "http/transport_errors.hpp"
#include "obs/log.hpp"

namespace wx::http {

namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Counts a live connection for as long as it exists; moved into the connection's coroutine.
class Server::Permit {
public:
    explicit Permit(std::atomic<std::size_t>& live) : live_(&live) {}
    Permit(Permit&& other) noexcept : live_(std::exchange(other.live_, nullptr)) {}
    Permit& operator=(Permit&&) = delete;
    ~Permit() {
        if (live_) live_->fetch_sub(1, std::memory_order_acq_rel);
    }

private:
    std::atomic<std::size_t>* live_;
};

// What begin_drain() needs to reach a connection: its executor and, while it waits for the next
// request, its stream. Touched only on the connection's own (single-threaded) context.
struct Server::Slot {
    asio::any_io_executor executor;
    beast::tcp_stream* stream = nullptr;
    bool idle = false;
};

namespace {

constexpr std::size_t kReadChunk = 4096;
// What a new keep-alive connection reads its first request into: most requests (a token and a
// small JSON body) fit in 1 KiB, and 10 000 idle connections then hold 10 MiB of buffers, not 40.
// A longer request grows the buffer as it arrives, and the connection keeps it for its next
// requests (no reallocation per request) unless it grew past kMaxIdleCapacity (a rare large header
// section), which is given back before waiting idle.
constexpr std::size_t kIdleReadChunk = 1024;
constexpr std::size_t kMaxIdleCapacity = 2 * kReadChunk;

bool is_parse_error(error_code const& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

std::string peer_address(tcp::socket const& socket) {
    error_code ec;
    auto ep = socket.remote_endpoint(ec);
    return ec ? std::string{"unknown"} : ep.address().to_string();
}

template <class Parser>
std::string request_id_of(Parser const& parser) {
    auto const& h = parser.get();
    auto it = h.find("X-Request-Id");
    if (it != h.end() && is_sane_request_id(it->value())) return std::string{it->value()};
    return new_request_id();
}

// 413/431/400 for requests that never reached the router; nullopt for plain I/O ends (EOF,
// timeout, reset), which get no answer.
std::optional<ErrorEnvelope> read_error_answer(error_code const& ec, std::size_t max_body_bytes) {
    if (ec == bhttp::error::header_limit) return header_too_large_error();
    if (ec == bhttp::error::body_limit) return payload_too_large_error(max_body_bytes);
    if (is_parse_error(ec)) return invalid_request_error("malformed HTTP request");
    return std::nullopt;
}

// The response in wire format, in one buffer that the connection reuses: one write(2), and none
// of the per-buffer sequence machinery of Beast's serializer on the hot path.
void serialize(Response& res, std::string& wire) {
    res.prepare_payload();
    wire.clear();
    wire += res.version() == 10 ? "HTTP/1.0 " : "HTTP/1.1 ";
    wire += std::to_string(res.result_int());
    wire += ' ';
    wire += res.reason();
    wire += "\r\n";
    for (auto const& field : res.base()) {
        wire += field.name_string();
        wire += ": ";
        wire += field.value();
        wire += "\r\n";
    }
    wire += "\r\n";
    wire += res.body();
}

// Reads until the buffer holds the first request's whole header section, so that its raw bytes
// can be checked before Beast parses (and unfolds) them. The header limit is enforced here, on
// the section's exact size: Beast applies its own to each read's window, so whether it caught an
// oversized header depended on how the bytes happened to arrive.
// Answers the section's size (its bytes are the buffer's first).
template <class Stream>
Task<result<std::size_t>> read_header_section(Stream& stream, beast::flat_buffer& buffer, std::size_t limit) {
    for (;;) {
        auto const end = header_section_end({static_cast<char const*>(buffer.data().data()), buffer.size()});
        if (end != std::string_view::npos) {
            if (end > limit) co_return error_code{bhttp::error::header_limit};
            co_return end;
        }
        if (buffer.size() >= limit) co_return error_code{bhttp::error::header_limit};
        auto [ec, n] = co_await stream.async_read_some(buffer.prepare(kReadChunk), use_result);
        if (ec) co_return ec;
        buffer.commit(n);
    }
}

template <class Stream>
Task<> close_stream(Stream& stream, std::chrono::milliseconds timeout) {
    if constexpr (std::is_same_v<Stream, TlsStream>) {
        beast::get_lowest_layer(stream).expires_after(timeout);
        auto [ec] = co_await stream.async_shutdown(use_result);
        (void)ec;  // a peer that vanished without close_notify is no error of ours
    }
    error_code ignored;
    beast::get_lowest_layer(stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
    beast::get_lowest_layer(stream).close();
}

}  // namespace

Server::Server(ServerConfig cfg, Router const& router, IoPool& io) : cfg_(std::move(cfg)), router_(router), io_(io) {
    if (!cfg_.tls_cert_file.empty()) {
        std::string why;
        tls_ = make_server_tls_context(cfg_.tls_cert_file, cfg_.tls_key_file, why);
        if (!tls_) throw std::runtime_error("cannot serve HTTPS: " + why);
    }
}

std::shared_ptr<ssl::context> Server::current_tls() const {
    std::lock_guard lock{tls_mutex_};
    return tls_;
}

bool Server::reload_tls() {
    if (!current_tls()) return false;
    std::string why;
    auto fresh = make_server_tls_context(cfg_.tls_cert_file, cfg_.tls_key_file, why);
    if (!fresh) {
        obs::log_error("tls_reload_failed", {{"reason", why}, {"serving", certificate_fingerprint(*current_tls())}});
        return false;
    }
    std::string const fingerprint = certificate_fingerprint(*fresh);
    {
        std::lock_guard lock{tls_mutex_};
        tls_ = std::move(fresh);
    }
    obs::log_info("tls_reloaded", {{"certificate_sha256", fingerprint}});
    return true;
}

Server::~Server() = default;

void Server::start() {
    auto& ctx = io_.first();
    error_code ec;
    auto address = asio::ip::make_address(cfg_.host, ec);
    if (ec) throw std::runtime_error("cannot listen on " + cfg_.host + ": not an IP address");
    tcp::endpoint ep{address, cfg_.port};
    acceptor_.emplace(ctx);
    acceptor_->open(ep.protocol(), ec);
    if (!ec) acceptor_->set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor_->bind(ep, ec);
    if (!ec) acceptor_->listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + cfg_.host + ":" + std::to_string(cfg_.port) + ": " +
                                 ec.message());
    port_ = acceptor_->local_endpoint().port();
    asio::co_spawn(ctx, accept_loop(), asio::detached);
}

Task<> Server::accept_loop() {
    asio::steady_timer backoff{acceptor_->get_executor()};
    for (;;) {
        auto& ctx = io_.next();
        auto [ec, socket] = co_await acceptor_->async_accept(ctx, use_result);
        if (ec == asio::error::operation_aborted || !acceptor_->is_open()) co_return;
        if (ec) {
            // EMFILE and friends: pause instead of spinning on an accept that keeps failing.
            obs::log_warn("accept_failed", {{"error", ec.message()}});
            backoff.expires_after(std::chrono::milliseconds(50));
            co_await backoff.async_wait(use_result);
            continue;
        }
        error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        beast::tcp_stream stream{std::move(socket)};
        if (live_.fetch_add(1, std::memory_order_acq_rel) >= cfg_.max_connections) {
            live_.fetch_sub(1, std::memory_order_acq_rel);
            asio::co_spawn(ctx, refuse_overloaded(std::move(stream)), asio::detached);
            continue;
        }
        Permit permit{live_};
        auto on_exit = [](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (std::exception const& ex) {
                obs::log_error("connection_failed", {{"error", ex.what()}});
            }
        };
        if (auto tls = current_tls()) {
            asio::co_spawn(ctx, tls_session(std::move(stream), std::move(permit), std::move(tls)), on_exit);
        } else {
            asio::co_spawn(ctx, session(std::move(stream), std::move(permit)), on_exit);
        }
    }
}

template <class Stream>
Task<> Server::refuse_overloaded(Stream stream) {
    ErrorEnvelope busy = overloaded_error("too many connections; retry later", 1);
    std::string id = new_request_id();
    Response res = error_response(busy, id, 11, false);
    res.set("X-Request-Id", id);
    std::string wire;
    serialize(res, wire);
    stream.expires_after(cfg_.write_timeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(wire), use_result);
    (void)n;
    (void)ec;
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
}

std::shared_ptr<Server::Slot> Server::register_slot(beast::tcp_stream& lowest) {
    auto slot = std::make_shared<Slot>();
    slot->executor = lowest.get_executor();
    slot->stream = &lowest;
    std::lock_guard lock{slots_mutex_};
    slots_.insert(slot);
    return slot;
}

void Server::unregister_slot(std::shared_ptr<Slot> const& slot) {
    slot->stream = nullptr;
    std::lock_guard lock{slots_mutex_};
    slots_.erase(slot);
}

Task<Response> Server::handle(Request& req, RequestContext& ctx) const {
    try {
        co_return co_await router_.dispatch(req, ctx);
    } catch (std::exception const& e) {
        // The ErrorGuard middleware catches handler failures; this is the last line for the rest.
        obs::log_error("request_failed", {{"request_id", ctx.request_id}, {"error", e.what()}});
    }
    Response res = answer_error(internal_error(), req, ctx);
    res.keep_alive(false);
    co_return res;
}

// The TLS context lives in this frame for as long as the connection (a reload may replace the
// server's meanwhile).
Task<> Server::tls_session(beast::tcp_stream stream, Permit permit, std::shared_ptr<ssl::context> tls) {
    co_await session(TlsStream{std::move(stream), *tls}, std::move(permit));
}

template <class Stream>
Task<> Server::session(Stream stream, [[maybe_unused]] Permit permit) {
    auto& lowest = beast::get_lowest_layer(stream);
    std::string const peer = peer_address(lowest.socket());
    auto slot = register_slot(lowest);
    beast::flat_buffer buffer;
    std::string wire;
    bool open = true;

    if constexpr (std::is_same_v<Stream, TlsStream>) {
        lowest.expires_after(cfg_.read_timeout);
        auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, use_result);
        open = !ec;
        if (ec.category() == asio::error::get_ssl_category() && ERR_GET_REASON(ec.value()) == SSL_R_HTTP_REQUEST) {
            // Plain HTTP sent to the HTTPS port: say so in plain HTTP rather than a TLS alert the
            // client cannot read, and close.
            ErrorEnvelope plain;
            plain.http_status = status::bad_request;
            plain.code = "invalid_request";
            plain.message = "this port speaks HTTPS: use https://";
            plain.reason = "plain HTTP on the HTTPS port";
            std::string id = new_request_id();
            Response res = error_response(plain, id, 11, false);
            res.set("X-Request-Id", id);
            serialize(res, wire);
            lowest.expires_after(cfg_.write_timeout);
            auto [wec, wn] = co_await asio::async_write(lowest, asio::buffer(wire), use_result);
            (void)wec;
            (void)wn;
        }
    }

    while (open && !draining()) {
        if (buffer.size() == 0) {
            // Idle keep-alive: the long deadline applies only until the first byte arrives.
            slot->idle = true;
            if (buffer.capacity() > kMaxIdleCapacity) buffer.shrink_to_fit();
            lowest.expires_after(cfg_.idle_timeout);
            // All the capacity the buffer already has: a request that needed more once reads whole.
            auto const room = std::max(kIdleReadChunk, buffer.capacity());
            auto [ec, n] = co_await stream.async_read_some(buffer.prepare(room), use_result);
            slot->idle = false;
            if (ec) break;
            buffer.commit(n);
        }

        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(cfg_.max_header_bytes));
        parser.body_limit(cfg_.max_body_bytes);
        lowest.expires_after(cfg_.read_timeout);
        auto section = co_await read_header_section(stream, buffer, cfg_.max_header_bytes);
        error_code hec = section ? error_code{} : section.error();
        std::optional<ErrorEnvelope> refusal;
        if (section && has_obs_fold({static_cast<char const*>(buffer.data().data()), *section}))
            refusal = invalid_request_error("header field values may not be folded over lines (obs-fold)");
        if (!hec && !refusal) {
            auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, use_result);
            hec = ec;
            if (!hec) {
                if (auto why = framing_violation(parser.get().base()))
                    refusal = invalid_request_error(std::string{*why});
            }
        }
        if (!hec && !refusal && !parser.is_done()) {
            if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
                bhttp::response<bhttp::empty_body> cont{status::continue_, 11};
                auto [cec, cn] = co_await bhttp::async_write(stream, cont, use_result);
                hec = cec;
            }
            if (!hec) {
                auto [bec, bn] = co_await bhttp::async_read(stream, buffer, parser, use_result);
                hec = bec;
            }
        }
        if (hec && !refusal) refusal = read_error_answer(hec, cfg_.max_body_bytes);
        if (hec || refusal) {
            if (refusal) {
                // Through the global middleware, so that refused requests are logged and counted.
                Request partial{parser.get().base()};
                RequestContext ctx;
                ctx.request_id = request_id_of(parser);
                ctx.client_address = peer;
                Response res = co_await router_.reject(partial, ctx, std::move(*refusal));
                res.set("X-Request-Id", ctx.request_id);
                res.keep_alive(false);  // the rest of the request is unread: the connection ends here
                serialize(res, wire);
                lowest.expires_after(cfg_.write_timeout);
                auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(wire), use_result);
                (void)wec;  // the connection closes either way
            }
            break;
        }

        Request req = parser.release();
        if (auto origin = origin_form_of(req.target())) req.target(*origin);
        RequestContext ctx;
        auto rid = req.find("X-Request-Id");
        ctx.request_id =
            rid != req.end() && is_sane_request_id(rid->value()) ? std::string{rid->value()} : new_request_id();
        ctx.client_address = peer;
        Response res = co_await handle(req, ctx);
        res.set("X-Request-Id", ctx.request_id);
        bool const keep_alive = res.keep_alive() && !draining();
        res.keep_alive(keep_alive);
        serialize(res, wire);
        lowest.expires_after(cfg_.write_timeout);
        auto [wec, wn] = co_await asio::async_write(stream, asio::buffer(wire), use_result);
        open = !wec && keep_alive;
    }
    unregister_slot(slot);
    co_await close_stream(stream, cfg_.write_timeout);
}

void Server::begin_drain() {
    draining_.store(true);
    if (acceptor_) {
        auto* acceptor = &*acceptor_;
        asio::post(acceptor->get_executor(), [acceptor] {
            error_code ignored;
            acceptor->close(ignored);
        });
    }
    std::lock_guard lock{slots_mutex_};
    for (auto const& slot : slots_) {
        // Runs on the connection's own context, so `idle` and `stream` are read without a race.
        asio::post(slot->executor, [slot] {
            if (slot->stream && slot->idle) slot->stream->cancel();
        });
    }
}

bool Server::wait_drained(std::chrono::milliseconds grace) {
    auto deadline = std::chrono::steady_clock::now() + grace;
    while (live_connections() > 0 && std::chrono::steady_clock::now() < deadline)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    return live_connections() == 0;
}

template Task<> Server::session(beast::tcp_stream, Permit);
template Task<> Server::session(TlsStream, Permit);

}  // namespace wx::http
