// The real binary as a subprocess: graceful shutdown on SIGTERM/SIGINT, and the command line's
// exit statuses.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <map>
#include <string>

#include "support/http_client.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"
#include "support/wait.hpp"

#ifndef WX_BINARY
#error "WX_BINARY must name the wxlogin binary under test"
#endif

namespace wx::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kStartTimeout = 20s;
constexpr auto kExitTimeout = 10s;

class Subprocess : public ::testing::Test {
protected:
    std::map<std::string, std::string> serve_env(std::uint16_t port) const {
        return {{"WXLOGIN_LISTEN", "127.0.0.1:" + std::to_string(port)},
                {"WXLOGIN_DATABASE_URL", "sqlite://" + (dir_.path() / "x.db").string()},
                {"WXLOGIN_SHUTDOWN_GRACE_MS", grace_ms_},
                {"WXLOGIN_IO_THREADS", "2"}};
    }

    // Starts `serve --dev` on a free port and waits until /healthz answers.
    std::unique_ptr<Process> start_server(std::uint16_t& port) {
        port = free_port();
        auto p = std::make_unique<Process>(WX_BINARY, std::vector<std::string>{"serve", "--dev"}, serve_env(port));
        if (!p->wait_listening(port, kStartTimeout)) {
            ADD_FAILURE() << "wxlogin did not start listening on " << port << "; stderr:\n" << p->stderr_text();
            return nullptr;
        }
        return p;
    }

    TempDir dir_{"wxlogin-subprocess"};
    std::string grace_ms_ = "5000";
};

TEST_F(Subprocess, SigtermWithIdleKeepAliveConnectionDoesNotWaitForTheGracePeriod) {
    // A grace period far beyond kExitTimeout: if the idle connection held the drain until the
    // grace ran out, the process could not exit in time.
    std::uint16_t port = 0;
    grace_ms_ = "60000";
    auto server = start_server(port);
    ASSERT_TRUE(server);

    RawConnection idle{port};
    ASSERT_TRUE(idle.connected());
    ASSERT_TRUE(idle.send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"));
    auto res = idle.read_response();
    ASSERT_EQ(res.status, 200u) << res.transport_error;
    ASSERT_TRUE(idle.last_keep_alive());  // the connection now waits idle for a next request

    server->signal(SIGTERM);
    auto code = server->wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value()) << "an idle keep-alive connection held up shutdown: still running "
                                  << kExitTimeout.count() << " s after SIGTERM";
    EXPECT_EQ(*code, 0) << server->stderr_text();
    EXPECT_EQ(server->stderr_text().find("shutdown_grace_expired"), std::string::npos) << server->stderr_text();
    EXPECT_TRUE(idle.read_until_closed()) << "the idle connection was not closed";
}

TEST_F(Subprocess, SigtermLetsTheRequestInFlightFinish) {
    std::uint16_t port = 0;
    auto server = start_server(port);
    ASSERT_TRUE(server);

    RawConnection busy{port};
    ASSERT_TRUE(busy.connected());
    // The header asks for 100 Continue, so its answer shows that the server has taken the header;
    // then half of the 10-byte body: the server is now in the middle of reading a request.
    ASSERT_TRUE(
        busy.send("POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 10\r\n"
                  "Expect: 100-continue\r\n\r\n"));
    ASSERT_TRUE(busy.read_until("HTTP/1.1 100 Continue\r\n\r\n")) << busy.received();
    ASSERT_TRUE(busy.send(R"({"a":)"));

    server->signal(SIGTERM);
    // The drain has begun once the listener is closed: new connections are refused.
    EXPECT_TRUE(wait_until("the listener closed after SIGTERM", [port] {
        RawConnection late{port, 1000ms};
        return late.error() == boost::asio::error::connection_refused;
    }));
    EXPECT_TRUE(server->running()) << "exited with a request in flight; stderr:\n" << server->stderr_text();

    ASSERT_TRUE(busy.send(R"("bc"})"));
    auto res = busy.read_response();
    EXPECT_EQ(res.status, 405u) << "the request in flight got no complete answer: " << res.transport_error;
    EXPECT_EQ(res.header("Connection"), "close");
    EXPECT_TRUE(busy.read_until_closed());

    auto code = server->wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value()) << "still running after the last connection closed";
    EXPECT_EQ(*code, 0) << server->stderr_text();
}

TEST_F(Subprocess, SigintAlsoShutsDownCleanly) {
    std::uint16_t port = 0;
    auto server = start_server(port);
    ASSERT_TRUE(server);
    server->signal(SIGINT);
    auto code = server->wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << server->stderr_text();
}

TEST_F(Subprocess, DevModeSaysSoLoudly) {
    std::uint16_t port = 0;
    auto server = start_server(port);
    ASSERT_TRUE(server);
    server->signal(SIGTERM);
    ASSERT_TRUE(server->wait_exit(kExitTimeout).has_value());
    std::string err = server->stderr_text();
    EXPECT_NE(err.find("DEV MODE"), std::string::npos) << err;
    // The random secrets --dev made up are announced, never printed.
    EXPECT_EQ(err.find("WXLOGIN_JWT_SECRET="), std::string::npos) << err;
}

TEST_F(Subprocess, VersionPrintsTheVersionAndExits0) {
    Process p{WX_BINARY, {"--version"}, {}};
    auto code = p.wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0) << p.stderr_text();
    EXPECT_NE(p.stdout_text().find(WX_VERSION), std::string::npos) << p.stdout_text();
}

TEST_F(Subprocess, HelpExits0AndListsConfiguration) {
    Process p{WX_BINARY, {"--help"}, {}};
    auto code = p.wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 0);
    EXPECT_NE(p.stdout_text().find("WXLOGIN_JWT_SECRET"), std::string::npos) << p.stdout_text();
}

TEST_F(Subprocess, ServeWithoutDevOrJwtSecretExits2NamingIt) {
    auto env = serve_env(free_port());
    env["WXLOGIN_WECHAT_APPID"] = "wx1234567890abcdef";
    env["WXLOGIN_WECHAT_SECRET"] = "0123456789abcdef0123456789abcdef";
    Process p{WX_BINARY, {"serve"}, env};
    auto code = p.wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value()) << "serve started without a JWT secret";
    EXPECT_EQ(*code, 2);
    EXPECT_NE(p.stderr_text().find("WXLOGIN_JWT_SECRET"), std::string::npos) << p.stderr_text();
}

TEST_F(Subprocess, BadListenExits2NamingIt) {
    auto env = serve_env(free_port());
    env["WXLOGIN_LISTEN"] = "nonsense";
    Process p{WX_BINARY, {"serve", "--dev"}, env};
    auto code = p.wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 2);
    EXPECT_NE(p.stderr_text().find("WXLOGIN_LISTEN"), std::string::npos) << p.stderr_text();
}

TEST_F(Subprocess, PortInUseExitsNonZeroNamingTheAddress) {
    std::uint16_t port = 0;
    auto first = start_server(port);
    ASSERT_TRUE(first);
    auto env = serve_env(port);
    env["WXLOGIN_DATABASE_URL"] += "-second";  // its own database: only the port is shared
    Process second{WX_BINARY, {"serve", "--dev"}, env};
    auto code = second.wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value()) << "a second server started on a port in use";
    EXPECT_NE(*code, 0);
    EXPECT_NE(second.stderr_text().find(std::to_string(port)), std::string::npos) << second.stderr_text();
    first->signal(SIGTERM);
    EXPECT_EQ(first->wait_exit(kExitTimeout), std::optional<int>{0});
}

TEST_F(Subprocess, SecondInstanceOnOneSqliteFileRefusesToStart) {
    std::uint16_t port = 0;
    auto first = start_server(port);
    ASSERT_TRUE(first);
    Process second{WX_BINARY, {"serve", "--dev"}, serve_env(free_port())};
    auto code = second.wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value()) << "a second server shares the SQLite file (and not its revocations)";
    EXPECT_NE(*code, 0);
    EXPECT_NE(second.stderr_text().find("another wxlogin process"), std::string::npos) << second.stderr_text();
    first->signal(SIGTERM);
    EXPECT_EQ(first->wait_exit(kExitTimeout), std::optional<int>{0});
}

TEST_F(Subprocess, UnknownSubcommandFails) {
    Process p{WX_BINARY, {"frobnicate"}, {}};
    auto code = p.wait_exit(kExitTimeout);
    ASSERT_TRUE(code.has_value());
    EXPECT_NE(*code, 0);
}

}  // namespace
}  // namespace wx::test
