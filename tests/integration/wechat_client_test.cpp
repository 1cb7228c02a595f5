// The real WeChat client against the simulator served by http::Server on 127.0.0.1: success,
// errcodes, the -1 retry, transport failures, deadlines, keep-alive reuse and TLS verification.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <filesystem>
#include <future>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "app/routes.hpp"
#include "core/clock.hpp"
#include "core/io_pool.hpp"
#include "http/router.hpp"
#include "http/server.hpp"
#include "sim/simulator.hpp"
#include "sim/wechat_sim_api.hpp"
#include "support/temp_dir.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"
#include "wechat/client.hpp"

namespace wx::wechat {
namespace {

using sim::Simulator;

using namespace std::chrono_literals;

constexpr auto kTimeout = 300ms;

class WeChatClientTest : public ::testing::Test {
protected:
    void SetUp() override {
        test::init_test_process();
        app::add_wechat_sim_routes(router_, sim_api_, "/wx");
        io_ = std::make_unique<IoPool>(1);
        server_ = std::make_unique<http::Server>(server_config(), router_, *io_);
        server_->start();
        io_->start();
        client_ = make_client(kTimeout);
    }

    void TearDown() override {
        client_.reset();
        server_->begin_drain();
        // Every session must be over before the contexts go, since a session frame refers to the server.
        EXPECT_TRUE(server_->wait_drained(5s));
        io_->stop();
        server_.reset();
        io_.reset();
    }

    virtual http::ServerConfig server_config() {
        http::ServerConfig cfg;
        cfg.host = "127.0.0.1";
        cfg.port = 0;
        return cfg;
    }

    [[nodiscard]] std::string base() const { return "http://127.0.0.1:" + std::to_string(server_->port()) + "/wx"; }

    std::unique_ptr<Client> make_client(std::chrono::milliseconds timeout, ClientOptions options = {}) {
        return std::make_unique<Client>(base(), timeout, std::move(options));
    }

    // Drives one coroutine on the client's context; bounded, so a broken test fails instead of hanging.
    template <class T>
    T run(Task<T> task) {
        auto done = asio::co_spawn(client_io_, std::move(task), asio::use_future);
        client_io_.restart();
        client_io_.run_for(10s);
        if (done.wait_for(0s) != std::future_status::ready) throw std::runtime_error("call did not finish");
        return done.get();
    }

    Simulator::LoginCode mint(std::string code = {}) {
        auto minted = sim_.mint_login_code("wxA", "", std::nullopt, std::move(code));
        if (!minted) throw std::runtime_error(minted.error().message);
        return *minted;
    }

    void fail(Simulator::Fault fault) { ASSERT_TRUE(sim_.inject(std::move(fault))); }

    TestClock clock_{1'700'000'000};
    Simulator sim_{clock_, {{"wxA", "secA"}}};
    sim::WeChatSimApi sim_api_{sim_};
    http::Router router_{{}, nullptr};
    std::unique_ptr<IoPool> io_;
    std::unique_ptr<http::Server> server_;
    AppCredentials app_{"wxA", "secA"};
    asio::io_context client_io_;  // declared before the client, so it outlives it
    std::unique_ptr<Client> client_;
};

TEST_F(WeChatClientTest, LoginSucceeds) {
    auto minted = sim_.mint_login_code("wxA", "", std::string{"uUnion1"});
    ASSERT_TRUE(minted);
    auto session = run(client_->code_to_session(app_, minted->code));
    ASSERT_TRUE(session) << session.error().message();
    EXPECT_EQ(session->openid, minted->openid);
    EXPECT_EQ(session->session_key, minted->session_key);
    EXPECT_EQ(session->unionid, std::optional<std::string>{"uUnion1"});
}

TEST_F(WeChatClientTest, CodesWithPlusSlashAndEqualsSurviveTheTrip) {
    // The simulator decodes the query as a form, like WeChat: an unencoded '+' would be a space.
    auto minted = mint("0a+b/C==");
    auto session = run(client_->code_to_session(app_, minted.code));
    ASSERT_TRUE(session) << session.error().message();
    EXPECT_EQ(session->openid, minted.openid);
}

TEST_F(WeChatClientTest, RealErrcodesAreReported) {
    auto minted = mint();
    ASSERT_TRUE(run(client_->code_to_session(app_, minted.code)));
    EXPECT_EQ(run(client_->code_to_session(app_, minted.code)).error(), errcode_error(errcode::code_used));
    EXPECT_EQ(run(client_->code_to_session(app_, "unknown")).error(), errcode_error(errcode::invalid_code));
    AppCredentials wrong_secret{"wxA", "nope"};
    EXPECT_EQ(run(client_->code_to_session(wrong_secret, mint().code)).error(),
              errcode_error(errcode::invalid_appsecret));
    AppCredentials wrong_app{"wxZ", "secA"};
    EXPECT_EQ(run(client_->code_to_session(wrong_app, mint().code)).error(), errcode_error(errcode::invalid_appid));
    auto expiring = mint();
    clock_.advance(Simulator::kCodeLifetime);
    EXPECT_EQ(run(client_->code_to_session(app_, expiring.code)).error(), errcode_error(errcode::invalid_code));
}

TEST_F(WeChatClientTest, EveryInjectedErrcodeIsReportedWithoutRetry) {
    for (int code : {40029, 40163, 40226, 45011, 40013, 40125, 41002, 41004, 40243, 12345}) {
        fail({.api = "jscode2session", .errcode = code});
        auto before = sim_.calls(Simulator::kJscode2session);
        auto r = run(client_->code_to_session(app_, mint().code));
        ASSERT_FALSE(r) << code;
        EXPECT_EQ(r.error(), errcode_error(code));
        EXPECT_EQ(sim_.calls(Simulator::kJscode2session), before + 1) << code;
    }
}

TEST_F(WeChatClientTest, BusyIsRetriedOnce) {
    fail({.api = "jscode2session", .errcode = -1});
    auto minted = mint();
    auto session = run(client_->code_to_session(app_, minted.code));
    ASSERT_TRUE(session) << session.error().message();
    EXPECT_EQ(session->openid, minted.openid);
    EXPECT_EQ(sim_.calls(Simulator::kJscode2session), 2u);
}

TEST_F(WeChatClientTest, BusyTwiceIsReportedAsBusy) {
    fail({.api = "jscode2session", .errcode = -1, .times = 3});
    auto r = run(client_->code_to_session(app_, mint().code));
    EXPECT_EQ(r.error(), errcode_error(errcode::system_busy));
    EXPECT_EQ(sim_.calls(Simulator::kJscode2session), 2u);
}

TEST_F(WeChatClientTest, BusyThenCodeUsedIsReportedAsBusy) {
    fail({.api = "jscode2session", .errcode = -1});
    fail({.api = "jscode2session", .errcode = 40163});
    auto r = run(client_->code_to_session(app_, mint().code));
    EXPECT_EQ(r.error(), errcode_error(errcode::system_busy));
}

TEST_F(WeChatClientTest, BusyThenAnotherErrcodeIsReportedAsIs) {
    fail({.api = "jscode2session", .errcode = -1});
    fail({.api = "jscode2session", .errcode = 45011});
    auto r = run(client_->code_to_session(app_, mint().code));
    EXPECT_EQ(r.error(), errcode_error(errcode::rate_limited));
}

TEST_F(WeChatClientTest, HttpErrorStatusIsReported) {
    fail({.api = "jscode2session", .http_status = 500u});
    EXPECT_EQ(run(client_->code_to_session(app_, mint().code)).error(), Errc::http_status);
    fail({.api = "stable_token", .errcode = -1, .http_status = 502u});
    EXPECT_EQ(run(client_->stable_token(app_, false)).error(), Errc::http_status);
    EXPECT_EQ(sim_.calls(Simulator::kJscode2session), 1u);
}

TEST_F(WeChatClientTest, NonJsonBodyIsABadResponse) {
    fail({.api = "jscode2session", .body = std::string{"<html><body>gateway says no</body></html>"}});
    EXPECT_EQ(run(client_->code_to_session(app_, mint().code)).error(), Errc::bad_response);
    fail({.api = "getuserphonenumber", .body = std::string{R"({"errcode":0,"errmsg":"ok"})"}});
    EXPECT_EQ(run(client_->phone_number("token", "code")).error(), Errc::bad_response);
}

TEST_F(WeChatClientTest, OversizedReplyIsRejected) {
    fail({.api = "jscode2session", .body = std::string(65 * 1024, 'x')});
    EXPECT_EQ(run(client_->code_to_session(app_, mint().code)).error(), Errc::response_too_large);
    // The connection that carried it is not reused; the next call works.
    auto minted = mint();
    EXPECT_TRUE(run(client_->code_to_session(app_, minted.code)));
}

TEST_F(WeChatClientTest, SlowReplyTimesOutAtTheDeadline) {
    // The reply would succeed, after 1 s: a timeout error shows the deadline cut the call short.
    fail({.api = "jscode2session", .delay = 1000ms});
    std::string const code = mint().code;
    // Taken before the call starts, so before its deadline is armed: a correct client cannot time
    // out sooner than kTimeout after this point, however slow the machine (load only makes it
    // later). The lower bound is the behaviour under test: the deadline must not fire early.
    auto const before_call = std::chrono::steady_clock::now();
    auto r = run(client_->code_to_session(app_, code));
    auto const elapsed = std::chrono::steady_clock::now() - before_call;
    EXPECT_EQ(r.error(), Errc::timeout);
    EXPECT_GE(elapsed, kTimeout) << "timed out before the deadline";
    EXPECT_EQ(sim_.calls(Simulator::kJscode2session), 1u) << "the request reached WeChat once, not retried";
}

TEST_F(WeChatClientTest, SlowReplyWithinTheDeadlineSucceeds) {
    // A deadline far beyond the delay, so that a loaded machine cannot turn "slow" into "too slow".
    auto patient = make_client(5000ms);
    fail({.api = "stable_token", .delay = 100ms});
    auto token = run(patient->stable_token(app_, false));
    ASSERT_TRUE(token) << token.error().message();
}

TEST_F(WeChatClientTest, ConnectionRefusedIsConnectionFailed) {
    std::uint16_t port = 0;
    {
        asio::io_context probe;
        asio::ip::tcp::acceptor acceptor{probe, {asio::ip::make_address("127.0.0.1"), 0}};
        port = acceptor.local_endpoint().port();
    }  // closed again: nothing listens there now
    Client refused{"http://127.0.0.1:" + std::to_string(port), kTimeout};
    auto r = run(refused.code_to_session(app_, "c"));
    EXPECT_EQ(r.error(), Errc::connection_failed);
}

TEST_F(WeChatClientTest, KeepAliveConnectionIsReused) {
    ASSERT_TRUE(run(client_->code_to_session(app_, mint().code)));
    ASSERT_TRUE(run(client_->stable_token(app_, false)));
    ASSERT_TRUE(run(client_->code_to_session(app_, mint().code)));
    EXPECT_EQ(client_->connections_opened(), 1u);
    EXPECT_EQ(client_->idle_connections(), 1u);
    EXPECT_EQ(server_->live_connections(), 1u);
}

TEST_F(WeChatClientTest, IdlePoolIsBounded) {
    ClientOptions options;
    options.max_idle_per_context = 3;
    auto bounded = make_client(5000ms, options);
    std::vector<std::future<result<AccessToken>>> calls;
    for (int i = 0; i < 10; ++i)
        calls.push_back(asio::co_spawn(client_io_, bounded->stable_token(app_, false), asio::use_future));
    client_io_.restart();
    client_io_.run_for(10s);
    for (auto& c : calls) {
        ASSERT_EQ(c.wait_for(0s), std::future_status::ready);
        EXPECT_TRUE(c.get());
    }
    EXPECT_EQ(bounded->connections_opened(), 10u);
    EXPECT_EQ(bounded->idle_connections(), 3u);
}

TEST_F(WeChatClientTest, PooledConnectionsDieWithTheirContext) {
    {
        asio::io_context short_lived;
        auto done = asio::co_spawn(short_lived, client_->stable_token(app_, false), asio::use_future);
        short_lived.run_for(10s);
        ASSERT_TRUE(done.get());
        EXPECT_EQ(client_->idle_connections(), 1u);
    }  // its pooled connection is closed with it, not later by the client
    EXPECT_EQ(client_->idle_connections(), 0u);
    ASSERT_TRUE(run(client_->stable_token(app_, false)));
    EXPECT_EQ(client_->connections_opened(), 2u);
}

TEST_F(WeChatClientTest, StableTokenAndPhoneNumber) {
    auto token = run(client_->stable_token(app_, false));
    ASSERT_TRUE(token) << token.error().message();
    EXPECT_EQ(token->expires_in, Simulator::kTokenLifetime);

    auto code = sim_.mint_phone_code("wxA", "13812345678");
    auto phone = run(client_->phone_number(token->token, *code));
    ASSERT_TRUE(phone) << phone.error().message();
    EXPECT_EQ(phone->phone_number, "13812345678");
    EXPECT_EQ(phone->pure_phone_number, "13812345678");
    EXPECT_EQ(phone->country_code, "86");
    EXPECT_EQ(run(client_->phone_number(token->token, *code)).error(), errcode_error(errcode::invalid_code));

    auto same = run(client_->stable_token(app_, false));
    EXPECT_EQ(same->token, token->token);
    auto forced = run(client_->stable_token(app_, true));
    ASSERT_TRUE(forced);
    EXPECT_NE(forced->token, token->token);
    auto code2 = sim_.mint_phone_code("wxA", "13812345678");
    EXPECT_EQ(run(client_->phone_number(token->token, *code2)).error(), errcode_error(errcode::invalid_credential));

    ASSERT_TRUE(sim_.expire_access_token("wxA"));
    EXPECT_EQ(run(client_->phone_number(forced->token, *code2)).error(), errcode_error(errcode::access_token_expired));
    EXPECT_EQ(sim_.calls(Simulator::kStableToken), 3u);
}

// A server that drops idle keep-alive connections quickly: the pooled one is stale next time.
class WeChatClientStaleTest : public WeChatClientTest {
protected:
    http::ServerConfig server_config() override {
        auto cfg = WeChatClientTest::server_config();
        cfg.idle_timeout = 100ms;
        return cfg;
    }
};

TEST_F(WeChatClientStaleTest, ConnectionClosedByTheServerIsReplaced) {
    ASSERT_TRUE(run(client_->code_to_session(app_, mint().code)));
    ASSERT_EQ(client_->idle_connections(), 1u);
    ASSERT_TRUE(test::wait_until("the server closed the idle keep-alive connection",
                                 [this] { return server_->live_connections() == 0; }));
    auto again = run(client_->code_to_session(app_, mint().code));
    ASSERT_TRUE(again) << again.error().message();
    EXPECT_EQ(client_->connections_opened(), 2u);
}

// --- A scripted upstream for the keep-alive retry rules ---

namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

constexpr std::string_view kTokenReply =
    "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 39\r\n\r\n"
    R"({"access_token":"TOKEN","expires_in":7})";

// Answers one request on the first connection, then reads the second request and reacts with
// `second` (nothing = close at once; else those bytes, then close); the next connection, if
// any, is answered normally.
Task<> scripted_upstream(tcp::acceptor& acceptor, std::string second, int& accepted) {
    auto serve_one = [](tcp::socket& socket, boost::beast::flat_buffer& buffer) -> Task<bool> {
        bhttp::request<bhttp::string_body> req;
        auto [rec, rn] = co_await bhttp::async_read(socket, buffer, req, use_result);
        co_return !rec;
    };
    auto [aec, first] = co_await acceptor.async_accept(use_result);
    if (aec) co_return;
    ++accepted;
    boost::beast::flat_buffer buffer;
    if (!co_await serve_one(first, buffer)) co_return;
    [[maybe_unused]] auto [w1, n1] = co_await asio::async_write(first, asio::buffer(kTokenReply), use_result);
    if (!co_await serve_one(first, buffer)) co_return;
    if (!second.empty()) {
        [[maybe_unused]] auto [w2, n2] = co_await asio::async_write(first, asio::buffer(second), use_result);
    }
    first.close();

    auto [aec2, fresh] = co_await acceptor.async_accept(use_result);
    if (aec2) co_return;
    ++accepted;
    boost::beast::flat_buffer buffer2;
    if (!co_await serve_one(fresh, buffer2)) co_return;
    [[maybe_unused]] auto [w3, n3] = co_await asio::async_write(fresh, asio::buffer(kTokenReply), use_result);
    boost::beast::flat_buffer rest;
    [[maybe_unused]] auto [r4, n4] =
        co_await fresh.async_read_some(rest.prepare(1), use_result);  // until the client closes
}

struct ScriptedRun {
    int accepted = 0;
    std::uint64_t opened = 0;
    result<AccessToken> first = Errc::bad_response;
    result<AccessToken> second = Errc::bad_response;
};

ScriptedRun run_scripted(std::string second_reply) {
    ScriptedRun out;
    asio::io_context upstream_io;
    tcp::acceptor acceptor{upstream_io, {asio::ip::make_address("127.0.0.1"), 0}};
    asio::co_spawn(upstream_io, scripted_upstream(acceptor, std::move(second_reply), out.accepted), asio::detached);
    std::thread upstream([&upstream_io] { upstream_io.run_for(10s); });
    {
        asio::io_context client_io;
        Client client{"http://127.0.0.1:" + std::to_string(acceptor.local_endpoint().port()), 2000ms};
        AppCredentials app{"wx1", "s1"};
        auto first = asio::co_spawn(client_io, client.stable_token(app, false), asio::use_future);
        client_io.run_for(10s);
        out.first = first.get();
        auto second = asio::co_spawn(client_io, client.stable_token(app, false), asio::use_future);
        client_io.restart();
        client_io.run_for(10s);
        out.second = second.get();
        out.opened = client.connections_opened();
    }  // the client closes its connections, which ends the upstream's last read
    // An upstream still waiting for a second connection stops waiting.
    asio::post(upstream_io, [&acceptor] { acceptor.close(); });
    upstream.join();
    return out;
}

TEST(WeChatClientKeepAlive, ARequestTheServerReadIsNeverResent) {
    // The upstream reads the second request on the pooled connection, then closes without a
    // reply. Resending it would spend a login code twice (WeChat: 40163 for a code that never
    // worked), so the failure is reported and no second connection is opened.
    ScriptedRun r = run_scripted("");
    ASSERT_TRUE(r.first);
    ASSERT_TRUE(r.second.has_error());
    EXPECT_EQ(r.second.error(), Errc::connection_failed);
    EXPECT_EQ(r.opened, 1u);
    EXPECT_EQ(r.accepted, 1);
}

TEST(WeChatClientKeepAlive, ConnectionFailingAfterReplyBytesIsNotRetried) {
    ScriptedRun r = run_scripted("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"acc");
    ASSERT_TRUE(r.first);
    EXPECT_EQ(r.second.error(), Errc::connection_failed);
    EXPECT_EQ(r.opened, 1u);
    EXPECT_EQ(r.accepted, 1);
}

// --- TLS: the simulator served over HTTPS with a throw-away certificate for "localhost" ---

struct TestCertificate {
    std::string cert_pem;
    std::string key_pem;
};

TestCertificate make_certificate(std::string const& dns_name) {
    std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key{EVP_EC_gen("P-256"), EVP_PKEY_free};
    std::unique_ptr<X509, decltype(&X509_free)> cert{X509_new(), X509_free};
    if (!key || !cert) throw std::runtime_error("openssl: cannot create a key or certificate");
    X509_set_version(cert.get(), 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
    X509_set_pubkey(cert.get(), key.get());
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<unsigned char const*>(dns_name.c_str()), -1,
                               -1, 0);
    X509_set_issuer_name(cert.get(), name);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
    std::string const san = "DNS:" + dns_name;
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, san.c_str());
    X509_add_ext(cert.get(), ext, -1);
    X509_EXTENSION_free(ext);
    if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) throw std::runtime_error("openssl: cannot sign");

    auto to_pem = [](auto write) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio{BIO_new(BIO_s_mem()), BIO_free};
        write(bio.get());
        char* data = nullptr;
        long n = BIO_get_mem_data(bio.get(), &data);
        return std::string(data, static_cast<std::size_t>(n));
    };
    TestCertificate out;
    out.cert_pem = to_pem([&](BIO* b) { PEM_write_bio_X509(b, cert.get()); });
    out.key_pem =
        to_pem([&](BIO* b) { PEM_write_bio_PrivateKey(b, key.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    return out;
}

class WeChatClientTlsTest : public WeChatClientTest {
protected:
    http::ServerConfig server_config() override {
        auto cfg = WeChatClientTest::server_config();
        cfg.tls_cert_file = cert_file_.string();
        cfg.tls_key_file = key_file_.string();
        return cfg;
    }
    std::unique_ptr<Client> tls_client(std::string const& host, bool trust) {
        ClientOptions options;
        if (trust) options.ca_file = cert_file_.string();
        return std::make_unique<Client>("https://" + host + ":" + std::to_string(server_->port()) + "/wx", kTimeout,
                                        options);
    }

    test::TempDir dir_{"wechat-tls"};
    TestCertificate cert_ = make_certificate("localhost");
    std::filesystem::path cert_file_ = dir_.write("cert.pem", cert_.cert_pem);
    std::filesystem::path key_file_ = dir_.write("key.pem", cert_.key_pem);
};

TEST_F(WeChatClientTlsTest, TrustedCertificateForTheHostWorks) {
    auto client = tls_client("localhost", true);
    auto session = run(client->code_to_session(app_, mint().code));
    ASSERT_TRUE(session) << session.error().message();
    ASSERT_TRUE(run(client->stable_token(app_, false)));
    EXPECT_EQ(client->connections_opened(), 1u);
}

TEST_F(WeChatClientTlsTest, UntrustedCertificateIsRefused) {
    auto client = tls_client("localhost", false);
    EXPECT_EQ(run(client->code_to_session(app_, mint().code)).error(), Errc::connection_failed);
    EXPECT_EQ(sim_.calls(Simulator::kJscode2session), 0u);
}

TEST_F(WeChatClientTlsTest, CertificateForAnotherHostIsRefused) {
    // Trusted, but issued to "localhost" while we dial 127.0.0.1: host name verification fails.
    auto client = tls_client("127.0.0.1", true);
    EXPECT_EQ(run(client->code_to_session(app_, mint().code)).error(), Errc::connection_failed);
    EXPECT_EQ(sim_.calls(Simulator::kJscode2session), 0u);
}

}  // namespace
}  // namespace wx::wechat
