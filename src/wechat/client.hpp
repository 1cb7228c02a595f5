#pragma once
// The real WeChat server API client: HTTP/1.1 over TLS (or plain HTTP for the simulator) with
// Boost.Beast, pooled keep-alive connections, one deadline per upstream request.

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/beast/http/verb.hpp>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "wechat/wechat_api.hpp"

namespace wx::wechat {

struct ClientOptions {
    // Idle keep-alive connections kept per execution context (I/O thread); more are closed.
    // Sized for the login concurrency of one I/O thread: an idle connection costs a socket,
    // a missing one costs a connect (and a TLS handshake) per login.
    std::size_t max_idle_per_context = 64;
    // A pooled connection idle longer than this is closed instead of reused: servers drop idle
    // keep-alive connections after a while, and a fresh connection beats a failed first write.
    std::chrono::milliseconds max_idle_time{30000};
    // Extra PEM trust anchors on top of the system store (a private CA, or a test certificate).
    std::string ca_file;
    // Upper bound on a reply body; larger replies fail with Errc::response_too_large.
    std::size_t max_body_bytes = 64 * 1024;
};

// Calls WeChat's jscode2session, stable_token and getuserphonenumber. Every call runs on the
// calling coroutine's executor; idle keep-alive connections are kept by a service of that
// executor's execution context, so a connection is only reused on the context (I/O thread) that
// opened it, and dies with that context or with this client, whichever goes first.
// Thread safety: all member functions may be called concurrently.
class Client final : public WeChatApi {
public:
    // api_base: "https://host[:port][/prefix]" or "http://..." (the simulator). Throws
    // std::invalid_argument when it is not such a URL, std::system_error when TLS set-up fails.
    Client(std::string const& api_base, std::chrono::milliseconds timeout, ClientOptions options = {});
    Client(Client const&) = delete;
    Client& operator=(Client const&) = delete;
    ~Client() override;

    Task<result<Session>> code_to_session(AppCredentials const& app, std::string code) override;
    Task<result<AccessToken>> stable_token(AppCredentials const& app, bool force_refresh) override;
    Task<result<PhoneInfo>> phone_number(std::string access_token, std::string phone_code) override;

    // Connections opened so far (each one a TCP connect, plus a TLS handshake for https).
    [[nodiscard]] std::uint64_t connections_opened() const { return opened_.load(std::memory_order_relaxed); }
    // Idle keep-alive connections held for this client on all live execution contexts.
    [[nodiscard]] std::size_t idle_connections() const;

private:
    struct Connection;
    struct ShelfKey {};  // identifies one client on the shelves (see key_)
    class Shelf;         // one execution context's idle connections, by client
    class ShelfService;  // owns a context's Shelf; closes its connections when the context goes
    struct Reply {
        unsigned status = 0;
        std::string body;
    };
    using ConnectionPtr = std::unique_ptr<Connection>;

    // One upstream HTTP exchange under one deadline: a pooled connection when one is alive (and a
    // single retry on a fresh one if that fails before any reply byte), else a new connection.
    // Errors are the raw socket/TLS/parser ones; call() maps them to Errc.
    Task<result<Reply>> exchange(boost::beast::http::verb method, std::string target, std::string body);
    Task<result<ConnectionPtr>> connect(asio::any_io_executor executor, std::chrono::steady_clock::time_point deadline);
    std::shared_ptr<Shelf> shelf_of(asio::any_io_executor const& executor);
    ConnectionPtr take_idle(Shelf& shelf);
    void give_back(Shelf& shelf, ConnectionPtr connection);
    // exchange(), then the status check and parse, with one log line per failure.
    template <class T>
    Task<result<T>> call(std::string_view api,
                         boost::beast::http::verb method,
                         std::string target,
                         std::string body,
                         result<T> (*parse)(std::string_view));
    Task<result<Session>> code_to_session_once(AppCredentials const& app, std::string const& code);

    std::string upstream_;  // "scheme://host[:port]" for logs: never a path or query
    std::string host_;
    std::string port_;
    std::string host_header_;
    std::string prefix_;  // path prefix without a trailing '/', may be empty
    bool tls_ = false;
    bool sni_ = false;  // host is a name, not an IP literal
    std::chrono::milliseconds timeout_;
    ClientOptions options_;
    std::optional<asio::ssl::context> ssl_;

    // This client's key on the shelves, which hold weak_ptrs to it. A weak_ptr keeps its control
    // block alive, so while a shelf holds one no later client can get an equal key (an address,
    // or a counter wrapping, could be reused); it expires with the client.
    std::shared_ptr<ShelfKey const> const key_ = std::make_shared<ShelfKey const>();
    mutable std::mutex shelves_mutex_;
    std::vector<std::weak_ptr<Shelf>> shelves_;  // every shelf holding connections of this client
    std::atomic<std::uint64_t> opened_{0};
};

// --- Pure pieces, exposed for tests ---

// "{prefix}/sns/jscode2session?appid=..&secret=..&js_code=..&grant_type=authorization_code" with
// every value percent-encoded outside RFC 3986's unreserved set ('+', '/', '=' included).
[[nodiscard]] std::string jscode2session_target(std::string_view prefix,
                                                AppCredentials const& app,
                                                std::string_view code);
[[nodiscard]] std::string stable_token_target(std::string_view prefix);
[[nodiscard]] std::string stable_token_body(AppCredentials const& app, bool force_refresh);
[[nodiscard]] std::string phone_number_target(std::string_view prefix, std::string_view access_token);
[[nodiscard]] std::string phone_number_body(std::string_view phone_code);

// Replies of a 2xx answer (whatever its Content-Type) into values: a non-zero errcode becomes
// errcode_error(errcode); anything unusable becomes Errc::bad_response.
[[nodiscard]] result<Session> parse_session(std::string_view body);
[[nodiscard]] result<AccessToken> parse_access_token(std::string_view body);
[[nodiscard]] result<PhoneInfo> parse_phone_info(std::string_view body);
// The request id WeChat puts at the end of errmsg ("invalid code, rid: 6497c612-..."), or empty.
[[nodiscard]] std::string rid_of(std::string_view errmsg);

}  // namespace wx::wechat
