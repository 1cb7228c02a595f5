// HTTPS as an operator runs it: TLS 1.3 negotiated, TLS 1.1 and weak 1.2 ciphers refused (by a
// client forced to offer them: OpenSSL 3's default client refuses 1.1 by itself), the certificate
// and key re-read on reload (SIGHUP) without dropping live connections, a bad file on reload
// keeps the old certificate serving, and plain HTTP on the HTTPS port told so. Certificates are
// made in the test with the openssl command.
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "http/tls_context.hpp"
#include "support/log_capture.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"

namespace wx::test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
using asio::ip::tcp;
using namespace std::chrono_literals;

// Runs the openssl command; its stdout, or a test failure with its stderr.
struct OpensslRun {
    int status = -1;
    std::string out;
    std::string err;
};
OpensslRun openssl(std::vector<std::string> args) {
    Process p{"/usr/bin/openssl", args, {}};
    OpensslRun r;
    r.status = p.wait_exit(20s).value_or(-1);
    r.out = p.stdout_text();
    r.err = p.stderr_text();
    return r;
}

// A throw-away self-signed certificate for "localhost" (P-256), written to `dir`/NAME.{crt,key}.
void make_certificate(std::filesystem::path const& dir, std::string const& name) {
    auto r = openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1",
                      "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost", "-keyout",
                      (dir / (name + ".key")).string(), "-out", (dir / (name + ".crt")).string()});
    ASSERT_EQ(r.status, 0) << r.err;
}

std::string fingerprint_of_file(std::filesystem::path const& cert) {
    auto r = openssl({"x509", "-in", cert.string(), "-noout", "-fingerprint", "-sha256"});
    EXPECT_EQ(r.status, 0) << r.err;
    auto const eq = r.out.find('=');
    return eq == std::string::npos ? "" : r.out.substr(eq + 1, r.out.find('\n') - eq - 1);
}

// One HTTPS connection, synchronous, every read and write bounded by socket timeouts.
class TlsConnection {
public:
    explicit TlsConnection(std::uint16_t port) : client_(ssl::context::tls_client), stream_(io_, client_) {
        client_.set_verify_mode(ssl::verify_none);  // a self-signed test certificate
        tcp::endpoint const at{asio::ip::make_address("127.0.0.1"), port};
        stream_.next_layer().connect(at);
        timeval tv{5, 0};
        ::setsockopt(stream_.next_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        ::setsockopt(stream_.next_layer().native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
        stream_.handshake(ssl::stream_base::client);
    }
    [[nodiscard]] std::string protocol() { return SSL_get_version(stream_.native_handle()); }
    [[nodiscard]] std::string fingerprint() {
        X509* cert = SSL_get1_peer_certificate(stream_.native_handle());
        std::string out = http::certificate_fingerprint(cert);
        X509_free(cert);
        return out;
    }
    // GET `target` on this connection (keep-alive); the status line.
    std::string get(std::string const& target) {
        std::string const req = "GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
        asio::write(stream_, asio::buffer(req));
        std::string in;
        std::array<char, 4096> buf{};
        while (in.find("\r\n\r\n") == std::string::npos) in.append(buf.data(), stream_.read_some(asio::buffer(buf)));
        // /healthz's body is small and its Content-Length arrives with the head: read the rest.
        auto const cl = in.find("Content-Length: ");
        std::size_t const body = cl == std::string::npos ? 0 : std::stoul(in.substr(cl + 16));
        while (in.size() < in.find("\r\n\r\n") + 4 + body) in.append(buf.data(), stream_.read_some(asio::buffer(buf)));
        return in.substr(0, in.find("\r\n"));
    }

private:
    asio::io_context io_;
    ssl::context client_;
    ssl::stream<tcp::socket> stream_;
};

class Tls : public ::testing::Test {
protected:
    void SetUp() override {
        init_test_process();
        make_certificate(dir_.path(), "first");
        make_certificate(dir_.path(), "second");
        std::filesystem::copy_file(dir_.path() / "first.crt", cert_);
        std::filesystem::copy_file(dir_.path() / "first.key", key_);
        app_ = std::make_unique<TestApp>(
            app::Environment{{"WXLOGIN_TLS_CERT", cert_.string()}, {"WXLOGIN_TLS_KEY", key_.string()}});
    }
    // `openssl s_client` against the app with extra options; its whole output.
    OpensslRun s_client(std::vector<std::string> options) {
        std::vector<std::string> args{"s_client", "-connect", "127.0.0.1:" + std::to_string(app_->port()),
                                      "-servername", "localhost"};
        args.insert(args.end(), options.begin(), options.end());
        return openssl(args);
    }
    void install(std::string const& name) {
        std::filesystem::copy_file(dir_.path() / (name + ".crt"), cert_,
                                   std::filesystem::copy_options::overwrite_existing);
        std::filesystem::copy_file(dir_.path() / (name + ".key"), key_,
                                   std::filesystem::copy_options::overwrite_existing);
    }

    TempDir dir_{"wxlogin-tls"};
    std::filesystem::path const cert_ = dir_.path() / "serving.crt";
    std::filesystem::path const key_ = dir_.path() / "serving.key";
    std::unique_ptr<TestApp> app_;
};

TEST_F(Tls, TlsThirteenIsNegotiated) {
    auto r = s_client({});
    EXPECT_NE(r.out.find("New, TLSv1.3, Cipher is TLS_AES_"), std::string::npos) << r.out;
    TlsConnection c{app_->port()};
    EXPECT_EQ(c.protocol(), "TLSv1.3");
    EXPECT_EQ(c.get("/healthz"), "HTTP/1.1 200 OK");
}

TEST_F(Tls, TlsElevenAndWeakTwelveCiphersAreRefused) {
    auto old = s_client({"-tls1_1", "-cipher", "DEFAULT@SECLEVEL=0"});
    EXPECT_NE(old.status, 0);
    EXPECT_EQ(old.out.find("TLSv1.1, Cipher is"), std::string::npos) << old.out;
    EXPECT_NE(old.out.find("Cipher is (NONE)"), std::string::npos) << old.out << old.err;
    auto cbc = s_client({"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA:@SECLEVEL=0"});
    EXPECT_NE(cbc.out.find("Cipher is (NONE)"), std::string::npos) << "CBC is not in the policy\n" << cbc.out;
    auto aead = s_client({"-tls1_2"});
    EXPECT_NE(aead.out.find("New, TLSv1.2, Cipher is ECDHE-ECDSA-"), std::string::npos) << aead.out;
}

TEST_F(Tls, AReloadServesTheNewCertificateAndKeepsLiveConnections) {
    std::string const first = fingerprint_of_file(dir_.path() / "first.crt");
    std::string const second = fingerprint_of_file(dir_.path() / "second.crt");
    ASSERT_NE(first, second);
    TlsConnection live{app_->port()};
    ASSERT_EQ(live.fingerprint(), first);
    ASSERT_EQ(live.get("/healthz"), "HTTP/1.1 200 OK");

    install("second");
    LogCapture log{obs::LogLevel::info};
    ASSERT_TRUE(app_->app().reload_tls());
    EXPECT_EQ(TlsConnection{app_->port()}.fingerprint(), second) << "new connections get the new certificate";
    EXPECT_EQ(live.get("/healthz"), "HTTP/1.1 200 OK") << "the live connection was not dropped";
    EXPECT_NE(log.text().find("tls_reloaded certificate_sha256=" + second), std::string::npos) << log.text();
}

TEST_F(Tls, ABadFileOnReloadKeepsTheOldCertificateServing) {
    std::string const first = fingerprint_of_file(dir_.path() / "first.crt");
    std::ofstream{cert_, std::ios::trunc} << "-----BEGIN CERTIFICATE-----\nnot a certificate\n";
    LogCapture log{obs::LogLevel::info};
    EXPECT_FALSE(app_->app().reload_tls());
    EXPECT_NE(log.text().find("tls_reload_failed"), std::string::npos) << log.text();
    EXPECT_NE(log.text().find("WXLOGIN_TLS_CERT"), std::string::npos) << "the log says which file";
    TlsConnection c{app_->port()};
    EXPECT_EQ(c.fingerprint(), first);
    EXPECT_EQ(c.get("/healthz"), "HTTP/1.1 200 OK");

    install("first");
    std::filesystem::copy_file(dir_.path() / "second.key", key_, std::filesystem::copy_options::overwrite_existing);
    EXPECT_FALSE(app_->app().reload_tls()) << "a key that does not match the certificate";
    EXPECT_EQ(TlsConnection{app_->port()}.fingerprint(), first);
}

TEST_F(Tls, PlainHttpOnTheHttpsPortIsToldSo) {
    HttpClient plain = app_->client();
    auto r = plain.get("/healthz");
    EXPECT_EQ(r.status, 400u) << r.body << r.transport_error;
    EXPECT_EQ(r.error_code(), "invalid_request");
    EXPECT_NE(r.body.find("HTTPS"), std::string::npos) << r.body;
}

// The real binary: SIGHUP reloads, and the process goes on serving.
TEST_F(Tls, SighupReloadsTheRunningServer) {
    std::uint16_t const port = free_port();
    Process p{WX_BINARY,
              {"serve", "--dev"},
              {{"WXLOGIN_LISTEN", "127.0.0.1:" + std::to_string(port)},
               {"WXLOGIN_DATABASE_URL", "sqlite://" + (dir_.path() / "hup.db").string()},
               {"WXLOGIN_TLS_CERT", cert_.string()},
               {"WXLOGIN_TLS_KEY", key_.string()}}};
    std::string const second = fingerprint_of_file(dir_.path() / "second.crt");
    ASSERT_TRUE(wait_until("the server answers over HTTPS", [&] {
        try {
            return TlsConnection{port}.get("/healthz") == "HTTP/1.1 200 OK";
        } catch (std::exception const&) {
            return false;
        }
    }));
    install("second");
    p.signal(SIGHUP);
    ASSERT_TRUE(wait_until("new connections get the new certificate",
                           [&] { return TlsConnection{port}.fingerprint() == second; }));
    EXPECT_TRUE(p.running()) << "SIGHUP must not end the process";
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(10s), 0);
}

}  // namespace
}  // namespace wx::test
