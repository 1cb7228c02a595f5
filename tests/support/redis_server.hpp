#pragma once
// A real redis-server for one test: on a free loopback port, no persistence, its files in a temp
// dir, stopped with the test. A test may stop it (a crash: SIGKILL) and start it again on the same
// port, empty, to see what the Redis-backed seams do meanwhile and afterwards.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "store/redis_connection.hpp"
#include "store/store_config.hpp"
#include "support/process.hpp"
#include "support/temp_dir.hpp"

namespace wx::test {

struct RedisServerOptions {
    std::string password;  // --requirepass when set
};

// Thread safety: none; one test thread.
class RedisServer {
public:
    // Starts redis-server (WX_REDIS_SERVER, else `redis-server` on PATH) and waits until it answers
    // PING. Throws std::runtime_error saying what is missing or what the server printed: a test
    // that needs Redis fails without one, it never skips.
    explicit RedisServer(RedisServerOptions options = {});
    RedisServer(RedisServer const&) = delete;
    RedisServer& operator=(RedisServer const&) = delete;
    ~RedisServer();

    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] bool running() const { return process_ != nullptr; }
    // Where the seams find it (with the password when one is set).
    [[nodiscard]] store::RedisConfig config() const;

    // Kills the server (SIGKILL, as a crash) and waits for it to exit.
    void stop();
    // Starts it again on the same port; it comes back empty.
    void start();
    // Stops the process without closing anything (SIGSTOP): a hung Redis. thaw() resumes it.
    void freeze();
    void thaw();

    // One command on a fresh connection, for a test to look at or change what is stored.
    store::RedisReply command(std::vector<std::string> const& args) const;

private:
    RedisServerOptions options_;
    std::string binary_;
    TempDir dir_{"wxlogin-redis"};
    std::uint16_t port_ = 0;
    std::unique_ptr<Process> process_;
};

}  // namespace wx::test
