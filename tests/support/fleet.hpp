#pragma once
// A fleet as users deploy it: several `wxlogin serve` processes (the built binary, not the App in
// this process) on one MariaDB database and, when asked, one Redis, in front of one standalone
// `wxlogin wechat-sim`. Each instance has its own port and its own process, so nothing is shared
// between them that a real deployment would not share.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "support/http_client.hpp"
#include "support/mariadb_server.hpp"
#include "support/process.hpp"
#include "support/redis_server.hpp"

namespace wx::test {

// `wxlogin wechat-sim --app APPID:SECRET` on a free port: the WeChat every instance talks to.
// Thread safety: the member functions may be called concurrently (each opens its own connection).
class WeChatSimProcess {
public:
    static constexpr char const* kAppId = "wxfleet000000000001";
    static constexpr char const* kSecret = "fleet-app-secret-0123456789abcdef";

    // Throws std::runtime_error when it does not start.
    WeChatSimProcess();
    [[nodiscard]] std::uint16_t port() const { return port_; }
    [[nodiscard]] HttpClient client() const { return HttpClient{port_}; }
    // What wx.login() does: a fresh code for `openid` (a new user when empty).
    [[nodiscard]] std::string login_code(std::string const& openid = "");
    // What the getPhoneNumber button does.
    [[nodiscard]] std::string phone_code(std::string const& phone);
    // Calls the simulator answered so far to `api` (jscode2session, stable_token, ...).
    [[nodiscard]] std::int64_t calls(std::string const& api);

private:
    std::uint16_t port_;
    Process process_;
};

struct FleetOptions {
    int instances = 2;
    bool redis = true;
    std::map<std::string, std::string> env;  // extra WXLOGIN_* for every instance
};

// Thread safety: construct and destroy on one thread; client(), wechat() and wechat_login() may be
// used from any thread.
class Fleet {
public:
    // Starts the simulator, a database of its own on the CTest fixture's MariaDB, a redis-server
    // (when asked) and the instances; waits until each answers /healthz. Throws on failure,
    // with the instance's stderr.
    explicit Fleet(FleetOptions options = {});
    // Starts the instances on a database the caller owns (e.g. a private MariadbServer that the
    // test stops and restarts).
    Fleet(FleetOptions options, std::string database_url);
    Fleet(Fleet const&) = delete;
    Fleet& operator=(Fleet const&) = delete;
    ~Fleet();

    [[nodiscard]] int size() const { return static_cast<int>(instances_.size()); }
    [[nodiscard]] HttpClient client(int instance) const { return HttpClient{ports_.at(instance)}; }
    [[nodiscard]] std::uint16_t port(int instance) const { return ports_.at(instance); }
    [[nodiscard]] WeChatSimProcess& wechat() { return sim_; }
    // Only with options.redis.
    [[nodiscard]] RedisServer& redis() { return *redis_; }
    // Only when the fleet made its own database.
    [[nodiscard]] MariadbDatabase& database() { return *database_; }
    // An instance's log so far (stderr), for failure messages.
    [[nodiscard]] std::string log(int instance) const { return instances_.at(instance)->stderr_text(); }

    // Logs in on `instance` with a fresh code for `openid`; the whole answer.
    HttpResult wechat_login(HttpClient& client, std::string const& openid = "");

private:
    void start(std::string const& database_url);

    FleetOptions options_;
    WeChatSimProcess sim_;
    std::unique_ptr<MariadbDatabase> database_;
    std::unique_ptr<RedisServer> redis_;
    std::vector<std::uint16_t> ports_;
    std::vector<std::unique_ptr<Process>> instances_;
};

}  // namespace wx::test
