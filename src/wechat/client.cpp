#include "wechat/client.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <sodium.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>
#include <boost/json/serialize.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>
#include <cerrno>
#include <map>
#include <stdexcept>

#include "obs/log.hpp"

namespace wx::wechat {

namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace json = boost::json;
namespace ssl = boost::asio::ssl;
namespace urls = boost::urls;
using tcp = boost::asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;
using SteadyClock = std::chrono::steady_clock;

// One keep-alive connection to the API host, used by one call at a time.
struct Client::Connection {
    std::optional<beast::tcp_stream> plain;
    std::optional<TlsStream> tls;
    beast::flat_buffer buffer;
    SteadyClock::time_point idle_since;

    beast::tcp_stream& lowest() { return tls ? beast::get_lowest_layer(*tls) : *plain; }
};

// The idle connections opened on one execution context, by client (ordered by control block).
class Client::Shelf {
public:
    using ByClient = std::map<std::weak_ptr<ShelfKey const>, std::vector<ConnectionPtr>, std::owner_less<>>;
    std::mutex mutex;
    bool closed = false;  // the context is going away: keep nothing more
    ByClient idle;
};

// An Asio service, so that a context's idle sockets are closed while the context still exists
// (a socket must not outlive the context it was opened on) and are never mistaken for another
// context's, even one created later at the same address.
class Client::ShelfService final : public asio::execution_context::service {
public:
    static asio::execution_context::id id;

    explicit ShelfService(asio::execution_context& owner)
        : asio::execution_context::service(owner), shelf_(std::make_shared<Shelf>()) {}
    [[nodiscard]] std::shared_ptr<Shelf> const& shelf() const { return shelf_; }

private:
    void shutdown() override {
        Shelf::ByClient doomed;
        {
            std::lock_guard lock{shelf_->mutex};
            shelf_->closed = true;
            doomed.swap(shelf_->idle);
        }
    }

    std::shared_ptr<Shelf> shelf_;
};

asio::execution_context::id Client::ShelfService::id;

namespace {

constexpr std::size_t kMaxIdentifier = 128;
constexpr std::size_t kMaxAccessToken = 2048;
constexpr std::size_t kMaxPhone = 32;
constexpr unsigned kMaxJsonDepth = 16;

using Request = bhttp::request<bhttp::string_body>;

struct Outcome {
    error_code ec;
    bool wrote = false;  // some request bytes left: the server may have read and acted on them
    bool keep_alive = false;
    unsigned status = 0;
    std::string body;
};

template <class Stream>
Task<Outcome> send_and_receive(Stream& stream, beast::flat_buffer& buffer, Request const& req, std::size_t limit) {
    Outcome out;
    auto [wec, wn] = co_await bhttp::async_write(stream, req, use_result);
    out.wrote = wn > 0;
    if (wec) {
        out.ec = wec;
        co_return out;
    }
    bhttp::response_parser<bhttp::string_body> parser;
    parser.body_limit(limit);
    auto [rec, rn] = co_await bhttp::async_read(stream, buffer, parser, use_result);
    if (rec) {
        out.ec = rec;
        co_return out;
    }
    auto& res = parser.get();
    out.status = res.result_int();
    out.keep_alive = res.keep_alive() && !parser.need_eof();
    out.body = std::move(res.body());
    co_return out;
}

bool is_http_parse_error(error_code const& ec) {
    return ec.category() == bhttp::make_error_code(bhttp::error::end_of_stream).category() &&
           ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message;
}

error_code transport_error(error_code const& ec) {
    if (ec == beast::error::timeout) return Errc::timeout;
    if (ec == bhttp::error::body_limit) return Errc::response_too_large;
    if (is_http_parse_error(ec)) return Errc::bad_response;
    return Errc::connection_failed;
}

// Peeks at an idle socket without consuming anything: a peer that closed the connection while it
// sat in the pool shows up as EOF or an error. Pending bytes are normal for TLS (session tickets
// arrive after the handshake) but mean a confused server for plain HTTP.
bool looks_alive(beast::tcp_stream& stream, bool tls) {
    char byte = 0;
    auto n = ::recv(stream.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0) return false;
    if (n < 0) return errno == EAGAIN || errno == EWOULDBLOCK;
    return tls;
}

bool is_printable(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](unsigned char c) { return c > 0x20 && c < 0x7f; });
}

bool is_session_key(std::string_view b64) {
    std::array<unsigned char, 32> raw{};
    std::size_t len = 0;
    char const* end = nullptr;
    if (b64.empty()) return false;
    int rc = sodium_base642bin(raw.data(), raw.size(), b64.data(), b64.size(), nullptr, &len, &end,
                               sodium_base64_VARIANT_ORIGINAL);
    return rc == 0 && end == b64.data() + b64.size() && len == 16;
}

result<json::object> parse_object(std::string_view body) {
    json::parse_options opts;
    opts.max_depth = kMaxJsonDepth;
    error_code ec;
    json::value v = json::parse(body, ec, {}, opts);
    if (ec || !v.is_object()) return Errc::bad_response;
    return std::move(v.as_object());
}

// errcode absent or 0 means success; WeChat documents both.
result<void> check_errcode(json::object const& o) {
    auto const* e = o.if_contains("errcode");
    if (!e) return {};
    std::int64_t code = 0;
    if (e->is_int64())
        code = e->get_int64();
    else if (e->is_uint64() && e->get_uint64() <= static_cast<std::uint64_t>(INT32_MAX))
        code = static_cast<std::int64_t>(e->get_uint64());
    else
        return Errc::bad_response;
    if (code == 0) return {};
    if (code < INT32_MIN || code > INT32_MAX) return Errc::bad_response;
    return errcode_error(static_cast<int>(code));
}

std::optional<std::string_view> bounded_string(json::object const& o, std::string_view key, std::size_t max) {
    auto const* v = o.if_contains(key);
    if (!v || !v->is_string()) return std::nullopt;
    std::string_view s = v->get_string();
    if (s.empty() || s.size() > max || !is_printable(s)) return std::nullopt;
    return s;
}

std::optional<std::int64_t> integer(json::value const& v) {
    if (v.is_int64()) return v.get_int64();
    if (v.is_uint64() && v.get_uint64() <= static_cast<std::uint64_t>(INT64_MAX))
        return static_cast<std::int64_t>(v.get_uint64());
    return std::nullopt;
}

void log_errcode(std::string_view api, error_code const& ec, std::string_view body) {
    std::string rid;
    if (auto o = parse_object(body))
        if (auto const* m = o->if_contains("errmsg"); m && m->is_string()) rid = rid_of(m->get_string());
    obs::log_warn("wechat_errcode", {{"api", api}, {"errcode", ec.value()}, {"rid", rid}});
}

// `cause` is the socket/TLS/parser error behind `ec`: what an operator needs to tell a refused
// connection from a certificate problem. Neither carries a URL or a secret.
void log_transport(std::string_view api, std::string_view upstream, error_code const& ec, error_code const& cause) {
    obs::log_warn("wechat_call_failed",
                  {{"api", api}, {"upstream", upstream}, {"error", ec.message()}, {"cause", cause.message()}});
}

}  // namespace

// --- pure pieces ---

std::string jscode2session_target(std::string_view prefix, AppCredentials const& app, std::string_view code) {
    urls::url u;
    u.set_encoded_path(std::string{prefix} + "/sns/jscode2session");
    // params().append() would leave '+' as is, which WeChat's form decoding reads as a space.
    auto params = u.encoded_params();
    params.append({"appid", urls::encode(app.app_id, urls::unreserved_chars)});
    params.append({"secret", urls::encode(app.secret, urls::unreserved_chars)});
    params.append({"js_code", urls::encode(code, urls::unreserved_chars)});
    params.append({"grant_type", "authorization_code"});
    return std::string{u.buffer()};
}

std::string stable_token_target(std::string_view prefix) { return std::string{prefix} + "/cgi-bin/stable_token"; }

std::string stable_token_body(AppCredentials const& app, bool force_refresh) {
    json::object o{{"grant_type", "client_credential"},
                   {"appid", app.app_id},
                   {"secret", app.secret},
                   {"force_refresh", force_refresh}};
    return json::serialize(o);
}

std::string phone_number_target(std::string_view prefix, std::string_view access_token) {
    urls::url u;
    u.set_encoded_path(std::string{prefix} + "/wxa/business/getuserphonenumber");
    auto params = u.encoded_params();
    params.append({"access_token", urls::encode(access_token, urls::unreserved_chars)});
    return std::string{u.buffer()};
}

std::string phone_number_body(std::string_view phone_code) {
    json::object o{{"code", phone_code}};
    return json::serialize(o);
}

result<Session> parse_session(std::string_view body) {
    auto o = parse_object(body);
    if (!o) return o.error();
    if (auto e = check_errcode(*o); !e) return e.error();
    auto openid = bounded_string(*o, "openid", kMaxIdentifier);
    auto const* key = o->if_contains("session_key");
    if (!openid || !key || !key->is_string() || !is_session_key(key->get_string())) return Errc::bad_response;
    Session s;
    s.openid = std::string{*openid};
    s.session_key = std::string{key->get_string()};
    if (auto const* u = o->if_contains("unionid"); u && !u->is_null()) {
        if (!u->is_string()) return Errc::bad_response;
        if (!u->get_string().empty()) {
            auto unionid = bounded_string(*o, "unionid", kMaxIdentifier);
            if (!unionid) return Errc::bad_response;
            s.unionid = std::string{*unionid};
        }
    }
    return s;
}

result<AccessToken> parse_access_token(std::string_view body) {
    auto o = parse_object(body);
    if (!o) return o.error();
    if (auto e = check_errcode(*o); !e) return e.error();
    auto token = bounded_string(*o, "access_token", kMaxAccessToken);
    auto const* expires = o->if_contains("expires_in");
    std::optional<std::int64_t> seconds = expires ? integer(*expires) : std::nullopt;
    if (!token || !seconds || *seconds <= 0) return Errc::bad_response;
    return AccessToken{std::string{*token}, *seconds};
}

result<PhoneInfo> parse_phone_info(std::string_view body) {
    auto o = parse_object(body);
    if (!o) return o.error();
    if (auto e = check_errcode(*o); !e) return e.error();
    auto const* info_value = o->if_contains("phone_info");
    if (!info_value || !info_value->is_object()) return Errc::bad_response;
    auto const& info = info_value->get_object();
    auto phone = bounded_string(info, "phoneNumber", kMaxPhone);
    auto pure = bounded_string(info, "purePhoneNumber", kMaxPhone);
    if (!phone || !pure) return Errc::bad_response;
    // The documentation says string, its own example and real replies send a number: take both.
    std::string country;
    auto const* cc = info.if_contains("countryCode");
    if (!cc) return Errc::bad_response;
    if (cc->is_string()) {
        auto s = bounded_string(info, "countryCode", 8);
        if (!s) return Errc::bad_response;
        country = std::string{*s};
    } else if (auto n = integer(*cc); n && *n >= 0 && *n < 100000) {
        country = std::to_string(*n);
    } else {
        return Errc::bad_response;
    }
    return PhoneInfo{std::string{*phone}, std::string{*pure}, std::move(country)};
}

std::string rid_of(std::string_view errmsg) {
    constexpr std::string_view kMarker = "rid:";
    auto at = errmsg.rfind(kMarker);
    if (at == std::string_view::npos) return {};
    std::string_view rest = errmsg.substr(at + kMarker.size());
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    std::string rid;
    for (char c : rest) {
        bool const ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
        if (!ok || rid.size() >= 64) break;
        rid += c;
    }
    return rid;
}

// --- Client ---

Client::Client(std::string const& api_base, std::chrono::milliseconds timeout, ClientOptions options)
    : timeout_(timeout), options_(std::move(options)) {
    auto parsed = urls::parse_absolute_uri(api_base);
    if (!parsed) throw std::invalid_argument("WeChat API base is not an absolute URL");
    urls::url_view u = *parsed;
    if (u.scheme_id() == urls::scheme::https)
        tls_ = true;
    else if (u.scheme_id() != urls::scheme::http)
        throw std::invalid_argument("WeChat API base must be an http:// or https:// URL");
    if (u.has_userinfo() || u.has_query() || u.has_fragment())
        throw std::invalid_argument("WeChat API base must not carry user info, a query or a fragment");
    switch (u.host_type()) {
        case urls::host_type::name:
            host_ = u.host();
            sni_ = true;
            break;
        case urls::host_type::ipv4:
            host_ = u.host_ipv4_address().to_string();
            break;
        case urls::host_type::ipv6:
            host_ = u.host_ipv6_address().to_string();
            break;
        default:
            throw std::invalid_argument("WeChat API base has no usable host");
    }
    if (host_.empty()) throw std::invalid_argument("WeChat API base has no host");
    port_ = u.has_port() ? std::string{u.port()} : std::string{tls_ ? "443" : "80"};
    host_header_ = std::string{u.encoded_host_and_port()};
    prefix_ = std::string{u.encoded_path()};
    while (!prefix_.empty() && prefix_.back() == '/') prefix_.pop_back();
    upstream_ = std::string{u.scheme()} + "://" + host_header_;
    if (timeout_.count() <= 0) throw std::invalid_argument("WeChat timeout must be positive");

    if (tls_) {
        ssl_.emplace(ssl::context::tls_client);
        SSL_CTX_set_min_proto_version(ssl_->native_handle(), TLS1_2_VERSION);
        ssl_->set_default_verify_paths();
        if (!options_.ca_file.empty()) ssl_->load_verify_file(options_.ca_file);
        ssl_->set_verify_mode(ssl::verify_peer);
    }
}

Client::~Client() {
    std::vector<std::shared_ptr<Shelf>> live;
    {
        std::lock_guard lock{shelves_mutex_};
        for (auto const& weak : shelves_)
            if (auto shelf = weak.lock()) live.push_back(std::move(shelf));
    }
    for (auto const& shelf : live) {
        std::vector<ConnectionPtr> doomed;
        std::lock_guard lock{shelf->mutex};
        if (auto it = shelf->idle.find(key_); it != shelf->idle.end()) {
            doomed = std::move(it->second);
            shelf->idle.erase(it);
        }
    }
}

std::size_t Client::idle_connections() const {
    std::vector<std::shared_ptr<Shelf>> live;
    {
        std::lock_guard lock{shelves_mutex_};
        for (auto const& weak : shelves_)
            if (auto shelf = weak.lock()) live.push_back(std::move(shelf));
    }
    std::size_t n = 0;
    for (auto const& shelf : live) {
        std::lock_guard lock{shelf->mutex};
        if (auto it = shelf->idle.find(key_); it != shelf->idle.end()) n += it->second.size();
    }
    return n;
}

std::shared_ptr<Client::Shelf> Client::shelf_of(asio::any_io_executor const& executor) {
    auto& context = asio::query(executor, asio::execution::context_as<asio::execution_context&>);
    std::shared_ptr<Shelf> shelf = asio::use_service<ShelfService>(context).shelf();
    std::lock_guard lock{shelves_mutex_};
    auto same = [&](std::weak_ptr<Shelf> const& w) { return !w.owner_before(shelf) && !shelf.owner_before(w); };
    if (std::none_of(shelves_.begin(), shelves_.end(), same)) {
        std::erase_if(shelves_, [](auto const& w) { return w.expired(); });
        shelves_.push_back(shelf);
    }
    return shelf;
}

Client::ConnectionPtr Client::take_idle(Shelf& shelf) {
    auto const now = SteadyClock::now();
    for (;;) {
        ConnectionPtr c;
        {
            std::lock_guard lock{shelf.mutex};
            auto it = shelf.idle.find(key_);
            if (it == shelf.idle.end() || it->second.empty()) return nullptr;
            // Newest first: it is the least likely to have been closed by the server.
            c = std::move(it->second.back());
            it->second.pop_back();
        }
        bool const fresh = now - c->idle_since < options_.max_idle_time;
        if (fresh && c->buffer.size() == 0 && looks_alive(c->lowest(), tls_)) return c;
        // Otherwise dropped here, on its own context's thread.
    }
}

void Client::give_back(Shelf& shelf, ConnectionPtr connection) {
    connection->lowest().expires_never();
    connection->idle_since = SteadyClock::now();
    std::vector<ConnectionPtr> dropped;  // closed after the lock is released
    std::lock_guard lock{shelf.mutex};
    if (shelf.closed) {
        dropped.push_back(std::move(connection));
        return;
    }
    auto& mine = shelf.idle.try_emplace(key_).first->second;
    // Sweep stale connections, so that they do not linger half-closed by the server.
    for (auto& c : mine)
        if (connection->idle_since - c->idle_since >= options_.max_idle_time) dropped.push_back(std::move(c));
    std::erase(mine, nullptr);
    if (mine.size() < options_.max_idle_per_context)
        mine.push_back(std::move(connection));
    else
        dropped.push_back(std::move(connection));
}

Task<result<Client::ConnectionPtr>> Client::connect(asio::any_io_executor executor, SteadyClock::time_point deadline) {
    // async_resolve knows no deadline of its own: a timer cancels it. The resolver is shared
    // with the timer's handler so that a late handler never touches a destroyed resolver.
    auto resolver = std::make_shared<tcp::resolver>(executor);
    asio::steady_timer guard{executor};
    guard.expires_at(deadline);
    std::weak_ptr<tcp::resolver> weak = resolver;
    auto cancel_resolve = [weak](error_code ec) {
        if (ec) return;
        if (auto r = weak.lock()) r->cancel();
    };
    guard.async_wait(std::move(cancel_resolve));
    auto [rec, endpoints] = co_await resolver->async_resolve(host_, port_, use_result);
    guard.cancel();
    if (rec) {
        error_code cause = rec;
        if (SteadyClock::now() >= deadline) cause = beast::error::timeout;
        co_return cause;
    }

    auto c = std::make_unique<Connection>();
    if (tls_) {
        c->tls.emplace(executor, *ssl_);
        if (sni_ && !SSL_set_tlsext_host_name(c->tls->native_handle(), host_.c_str())) {
            error_code cause{static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category()};
            co_return cause;
        }
        c->tls->set_verify_mode(ssl::verify_peer);
        c->tls->set_verify_callback(ssl::host_name_verification(host_));
    } else {
        c->plain.emplace(executor);
    }
    auto& lowest = c->lowest();
    lowest.expires_at(deadline);
    auto [cec, ep] = co_await lowest.async_connect(endpoints, use_result);
    if (cec) co_return cec;
    opened_.fetch_add(1, std::memory_order_relaxed);
    error_code ignored;
    lowest.socket().set_option(tcp::no_delay(true), ignored);
    if (c->tls) {
        auto [hec] = co_await c->tls->async_handshake(ssl::stream_base::client, use_result);
        if (hec) co_return hec;
    }
    co_return std::move(c);
}

Task<result<Client::Reply>> Client::exchange(bhttp::verb method, std::string target, std::string body) {
    auto executor = co_await asio::this_coro::executor;
    auto const deadline = SteadyClock::now() + timeout_;
    Request req{method, target, 11};
    req.set(bhttp::field::host, host_header_);
    req.set(bhttp::field::user_agent, "wxlogin/" WX_VERSION);
    req.set(bhttp::field::accept, "application/json");
    if (method == bhttp::verb::post) req.set(bhttp::field::content_type, "application/json");
    req.body() = std::move(body);
    req.keep_alive(true);
    req.prepare_payload();

    std::shared_ptr<Shelf> shelf = shelf_of(executor);
    for (int attempt = 0; attempt < 2; ++attempt) {
        // The retry always opens a fresh connection: the pooled one just proved stale.
        ConnectionPtr c = attempt == 0 ? take_idle(*shelf) : nullptr;
        bool const reused = c != nullptr;
        if (!c) {
            auto fresh = co_await connect(executor, deadline);
            if (!fresh) co_return fresh.error();
            c = std::move(*fresh);
        }
        c->lowest().expires_at(deadline);
        Outcome out;
        if (c->tls)
            out = co_await send_and_receive(*c->tls, c->buffer, req, options_.max_body_bytes);
        else
            out = co_await send_and_receive(*c->plain, c->buffer, req, options_.max_body_bytes);
        if (!out.ec) {
            if (out.keep_alive) give_back(*shelf, std::move(c));
            Reply reply{out.status, std::move(out.body)};
            co_return reply;
        }
        // A pooled connection that failed before a byte of the request left cannot have carried
        // it, and one retry on a fresh connection is safe. Once bytes left, WeChat may have read
        // them: a login code resent then would come back 40163 "used" for a code that never
        // worked, so the failure is reported instead (take_idle() already drops connections
        // the server is seen to have closed).
        if (reused && !out.wrote && out.ec != beast::error::timeout) continue;
        co_return out.ec;
    }
    co_return Errc::connection_failed;  // not reached: the second attempt always returns
}

template <class T>
Task<result<T>> Client::call(std::string_view api,
                             bhttp::verb method,
                             std::string target,
                             std::string body,
                             result<T> (*parse)(std::string_view)) {
    // The target may carry the app secret, the code or the access token: it is never logged.
    auto reply = co_await exchange(method, std::move(target), std::move(body));
    if (!reply) {
        error_code ec = transport_error(reply.error());
        log_transport(api, upstream_, ec, reply.error());
        co_return ec;
    }
    if (reply->status < 200 || reply->status > 299) {
        error_code ec = Errc::http_status;
        obs::log_warn("wechat_call_failed",
                      {{"api", api}, {"upstream", upstream_}, {"error", ec.message()}, {"http_status", reply->status}});
        co_return ec;
    }
    result<T> value = parse(reply->body);
    if (!value && value.error().category() == errcode_category())
        log_errcode(api, value.error(), reply->body);
    else if (!value)
        obs::log_warn("wechat_call_failed",
                      {{"api", api}, {"upstream", upstream_}, {"error", value.error().message()}});
    co_return value;
}

Task<result<Session>> Client::code_to_session_once(AppCredentials const& app, std::string const& code) {
    std::string target = jscode2session_target(prefix_, app, code);
    std::string no_body;
    co_return co_await call<Session>("jscode2session", bhttp::verb::get, std::move(target), std::move(no_body),
                                     &parse_session);
}

Task<result<Session>> Client::code_to_session(AppCredentials const& app, std::string code) {
    auto first = co_await code_to_session_once(app, code);
    if (first || first.error() != errcode_error(errcode::system_busy)) co_return first;
    auto second = co_await code_to_session_once(app, code);
    // The busy first attempt may have consumed the code after all; "used" then says nothing
    // about the client's code, so the caller sees the original busy answer.
    if (!second && second.error() == errcode_error(errcode::code_used)) co_return errcode_error(errcode::system_busy);
    co_return second;
}

Task<result<AccessToken>> Client::stable_token(AppCredentials const& app, bool force_refresh) {
    std::string target = stable_token_target(prefix_);
    std::string body = stable_token_body(app, force_refresh);
    co_return co_await call<AccessToken>("stable_token", bhttp::verb::post, std::move(target), std::move(body),
                                         &parse_access_token);
}

Task<result<PhoneInfo>> Client::phone_number(std::string access_token, std::string phone_code) {
    std::string target = phone_number_target(prefix_, access_token);
    std::string body = phone_number_body(phone_code);
    co_return co_await call<PhoneInfo>("getuserphonenumber", bhttp::verb::post, std::move(target), std::move(body),
                                       &parse_phone_info);
}

}  // namespace wx::wechat
