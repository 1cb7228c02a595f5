// Bytes as they arrive on a keep-alive connection, through what Server::session does with them,
// in reads of a fuzz-chosen size: the whole header section read first (431 past the server's
// header limit) and refused if it folds a line (obs-fold), then Beast's request parser with the
// server's header and body limits (need_more, put_eof), framing_violation, the body
// (Content-Length or chunked, eager), the absolute-form target rewritten, then a Router with a
// few routes and middleware; pipelined requests follow until one closes the connection. Also
// checks that Beast and header_section_end() agree on where a header ends: a disagreement is what
// a smuggling attack needs.
#include <boost/asio/buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/json/object.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/sync_wait.hpp"
#include "http/json_body.hpp"
#include "http/middleware/parse_query.hpp"
#include "http/request_framing.hpp"
#include "http/response.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "http/transport_errors.hpp"

namespace {

namespace http = wx::http;
namespace bhttp = boost::beast::http;
using wx::Task;

// The server's defaults (ServerConfig), as Server::session applies them.
http::ServerConfig const kServer;
constexpr std::size_t kMaxRequestsPerConnection = 16;

// The bytes of one connection: what has arrived and is not yet consumed, and what is still to come.
class Wire {
public:
    Wire(std::string_view bytes, std::size_t read_size) : rest_(bytes), read_size_(read_size) {}
    // One read(2) of at most read_size bytes; false at end of stream.
    bool read() {
        if (rest_.empty()) return false;
        std::size_t n = std::min(read_size_, rest_.size());
        buffer_.append(rest_.substr(0, n));
        rest_.remove_prefix(n);
        return true;
    }
    [[nodiscard]] std::string_view buffered() const { return buffer_; }
    void consume(std::size_t n) { buffer_.erase(0, n); }
    [[nodiscard]] std::size_t remaining() const { return rest_.size(); }

private:
    std::string_view rest_;
    std::size_t read_size_;
    std::string buffer_;
};

// Beast's read loop (read_some_op): put() until `done` or an error, reading first when nothing
// is buffered and again on need_more; at end of stream, put_eof() if the parser got some bytes.
// Every pass consumes bytes or reads more, so the input size bounds the loop; a parser that
// stops making progress would hang a live connection.
template <class Done>
boost::system::error_code feed(bhttp::request_parser<bhttp::string_body>& parser,
                               Wire& wire,
                               std::string* consumed,
                               Done done) {
    boost::system::error_code ec;
    std::size_t const bound = 2 * (wire.buffered().size() + wire.remaining() + 1);
    for (std::size_t pass = 0; pass < bound; ++pass) {
        if (done()) return {};
        if (wire.buffered().empty() || ec == bhttp::error::need_more) {
            if (!wire.read()) {
                if (!parser.got_some()) return bhttp::error::end_of_stream;
                ec = {};
                parser.put_eof(ec);
                return ec ? ec : (done() ? boost::system::error_code{} : bhttp::error::partial_message);
            }
        }
        auto const in = wire.buffered();
        std::size_t n = parser.put(boost::asio::buffer(in.data(), in.size()), ec);
        if (consumed) consumed->append(in.substr(0, n));
        wire.consume(n);
        if (ec && ec != bhttp::error::need_more) return ec;
    }
    __builtin_trap();
}

constexpr std::size_t kHeaderTooLarge = static_cast<std::size_t>(-1);

// Server's read_header_section: reads until the buffered bytes hold a whole header section and
// sets `section` to its size; false at end of stream, or past `limit` (section = kHeaderTooLarge).
bool read_header_section(Wire& wire, std::size_t limit, std::size_t& section) {
    std::size_t const bound = wire.remaining() + 1;  // every pass but the last reads a byte or more
    for (std::size_t reads = 0; reads <= bound; ++reads) {
        section = http::header_section_end(wire.buffered());
        if (section != std::string_view::npos) {
            if (section <= limit) return true;
            section = kHeaderTooLarge;
            return false;
        }
        if (wire.buffered().size() >= limit) {
            section = kHeaderTooLarge;
            return false;
        }
        if (!wire.read()) {
            section = 0;
            return false;
        }
    }
    __builtin_trap();
}

class Api {
public:
    Task<http::Response> health(http::Request& req, http::RequestContext&) {
        co_return http::text_response(http::status::ok, "ok", "text/plain", req);
    }
    // A login-shaped body: the JSON binding of every POST endpoint.
    Task<http::Response> login(http::Request& req, http::RequestContext& ctx) {
        auto obj = http::parse_json_object(req);
        if (!obj) co_return http::answer_error(obj.error(), req, ctx);
        http::FieldReader fields{*obj};
        auto code = fields.required_string("code", {.min = 1, .max = 128});
        auto app = fields.optional_string("app_id", {.min = 1, .max = 64});
        if (!fields.ok()) co_return http::answer_error(fields.error(), req, ctx);
        boost::json::object out;
        out["code"] = *code;
        if (app) out["app_id"] = *app;
        co_return http::json_response(http::status::ok, out, req);
    }
    Task<http::Response> user(http::Request& req, http::RequestContext& ctx) {
        boost::json::object out;
        out["id"] = ctx.path_int("id");
        if (auto fields = ctx.query().find("fields")) out["fields"] = std::string{*fields};
        co_return http::json_response(http::status::ok, out, req);
    }
    Task<http::Response> wechat_app(http::Request& req, http::RequestContext& ctx) {
        boost::json::object out;
        out["app"] = std::string{ctx.path("app")};
        co_return http::json_response(http::status::ok, out, req);
    }
};

struct Service {
    Api api;
    http::ParseQuery parse_query;
    http::Router router{{}, nullptr};
    Service() {
        router.add(http::verb::get, "/healthz", http::route_to(api, &Api::health));
        router.add(http::verb::post, "/api/v1/auth/login", http::route_to(api, &Api::login));
        router.add(http::verb::patch, "/api/v1/users/me", http::route_to(api, &Api::login));
        router.add(http::verb::get, "/api/v1/users/{id:int}", http::route_to(api, &Api::user), {&parse_query});
        router.add(http::verb::delete_, "/api/v1/wechat/{app}", http::route_to(api, &Api::wechat_app));
    }
};

// Answers a request the server refuses before routing, through the router as the server does.
void reject(Service const& service, http::RequestHeader const& header, http::ErrorEnvelope error) {
    http::Request partial{header};
    http::RequestContext ctx;
    ctx.request_id = "fuzz";
    (void)wx::sync_wait(service.router.reject(partial, ctx, std::move(error)));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    static Service const service;
    if (size == 0) return 0;
    // The first byte picks the size of each read: 1 byte at a time up to the server's 4096.
    static constexpr std::size_t kReadSizes[] = {1, 2, 3, 7, 16, 64, 512, 4096};
    Wire wire{{reinterpret_cast<char const*>(data) + 1, size - 1}, kReadSizes[data[0] % 8]};

    for (std::size_t served = 0; served < kMaxRequestsPerConnection; ++served) {
        if (wire.buffered().empty() && !wire.read()) return 0;  // idle keep-alive, then EOF

        // Server::session: read until the buffer holds the whole header section (431 past the
        // limit), refuse obs-fold on its raw bytes, then let Beast parse it and check the framing.
        std::size_t section = 0;
        if (!read_header_section(wire, kServer.max_header_bytes, section)) {
            if (section == kHeaderTooLarge) reject(service, {}, http::header_too_large_error());
            return 0;  // end of stream before a whole header: no answer
        }
        if (http::has_obs_fold(wire.buffered().substr(0, section))) {
            reject(service, {}, http::invalid_request_error("obs-fold"));
            return 0;
        }
        bhttp::request_parser<bhttp::string_body> parser;
        parser.header_limit(static_cast<std::uint32_t>(kServer.max_header_bytes));
        parser.body_limit(kServer.max_body_bytes);
        std::string header_bytes;
        auto ec = feed(parser, wire, &header_bytes, [&] { return parser.is_header_done(); });
        if (ec) {
            if (ec == bhttp::error::header_limit) reject(service, parser.get().base(), http::header_too_large_error());
            return 0;
        }
        // Beast ends a header at the first CRLF CRLF; so must header_section_end(), or the
        // obs-fold check would have judged other bytes than the parser framed.
        if (header_bytes.size() != section) __builtin_trap();
        if (auto why = http::framing_violation(parser.get().base())) {
            reject(service, parser.get().base(), http::invalid_request_error(std::string{*why}));
            return 0;
        }
        parser.eager(true);
        ec = feed(parser, wire, nullptr, [&] { return parser.is_done(); });
        if (ec) {
            if (ec == bhttp::error::body_limit)
                reject(service, parser.get().base(), http::payload_too_large_error(kServer.max_body_bytes));
            return 0;
        }

        http::Request req = parser.release();
        if (auto origin = http::origin_form_of(req.target())) req.target(*origin);
        http::RequestContext ctx;
        ctx.request_id = "fuzz";
        http::Response res = wx::sync_wait(service.router.dispatch(req, ctx));
        res.prepare_payload();
        if (res.result_int() < 200 || res.result_int() > 599) __builtin_trap();
        if (!res.keep_alive()) return 0;
    }
    return 0;
}
