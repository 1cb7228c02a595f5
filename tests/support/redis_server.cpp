#include "support/redis_server.hpp"

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <thread>

namespace wx::test {
namespace {

std::string find_redis_server() {
    if (char const* configured = std::getenv("WX_REDIS_SERVER"); configured && *configured) {
        if (::access(configured, X_OK) == 0) return configured;
        throw std::runtime_error(std::string{"WX_REDIS_SERVER="} + configured + " is not an executable file");
    }
    char const* path = std::getenv("PATH");
    std::string_view dirs = path ? path : "/usr/local/bin:/usr/bin:/bin";
    while (!dirs.empty()) {
        auto const colon = dirs.find(':');
        std::filesystem::path candidate{std::string{dirs.substr(0, colon)}};
        candidate /= "redis-server";
        if (::access(candidate.c_str(), X_OK) == 0) return candidate.string();
        dirs = colon == std::string_view::npos ? std::string_view{} : dirs.substr(colon + 1);
    }
    for (char const* fallback : {"/usr/bin/redis-server", "/usr/sbin/redis-server"})
        if (::access(fallback, X_OK) == 0) return fallback;
    throw std::runtime_error(
        "redis-server not found (PATH, /usr/bin, /usr/sbin; or set WX_REDIS_SERVER): the redis tests need a real "
        "server — install it with `apt-get install redis-server` (scripts/test does)");
}

}  // namespace

RedisServer::RedisServer(RedisServerOptions options)
    : options_(std::move(options)), binary_(find_redis_server()), port_(free_port()) {
    start();
}

RedisServer::~RedisServer() { stop(); }

store::RedisConfig RedisServer::config() const {
    store::RedisConfig c;
    c.host = "127.0.0.1";
    c.port = port_;
    c.password = options_.password;
    return c;
}

void RedisServer::start() {
    if (process_) return;
    std::vector<std::string> args{
        "--port", std::to_string(port_), "--bind",      "127.0.0.1", "--save", "", "--appendonly", "no",
        "--dir",  dir_.path().string(),  "--daemonize", "no"};
    if (!options_.password.empty()) {
        args.emplace_back("--requirepass");
        args.push_back(options_.password);
    }
    process_ = std::make_unique<Process>(binary_, args, std::map<std::string, std::string>{});

    store::RedisOptions quick;
    quick.connect_timeout = std::chrono::milliseconds{200};
    auto const deadline = std::chrono::steady_clock::now() + std::chrono::seconds{10};
    while (std::chrono::steady_clock::now() < deadline) {
        if (!process_->running()) break;
        if (auto conn = store::RedisConnection::open(config(), quick)) {
            std::vector<std::string> const ping{"PING"};
            auto pong = (*conn)->run(ping);
            if (pong && pong->str == "PONG") return;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds{2});
    }
    std::string const out = process_->stdout_text() + process_->stderr_text();
    process_.reset();
    throw std::runtime_error("redis-server on 127.0.0.1:" + std::to_string(port_) +
                             " did not answer PING within 10 s; it said: " + out.substr(0, 2000));
}

void RedisServer::stop() {
    if (!process_) return;
    process_->signal(SIGKILL);
    (void)process_->wait_exit(std::chrono::seconds{10});
    process_.reset();
}

void RedisServer::freeze() {
    if (process_) stop_process(process_->pid());
}

void RedisServer::thaw() {
    if (process_) process_->signal(SIGCONT);
}

store::RedisReply RedisServer::command(std::vector<std::string> const& args) const {
    auto conn = store::RedisConnection::open(config(), store::RedisOptions{});
    if (!conn) throw std::runtime_error("cannot connect to the test redis-server");
    auto reply = (*conn)->run(args);
    if (!reply) throw std::runtime_error("the test redis-server did not answer: " + (*conn)->failure());
    return std::move(*reply);
}

}  // namespace wx::test
