#include "support/fleet.hpp"

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "support/sessions.hpp"

#ifndef WX_BINARY
#error "WX_BINARY (the built wxlogin) must be defined for fleet.cpp (tests/CMakeLists.txt)"
#endif

namespace wx::test {
namespace {

using namespace std::chrono_literals;

constexpr auto kStartTimeout = 20s;

// The same secret on every instance: a token signed by one verifies on all.
constexpr char const* kJwtSecret = "fleet-jwt-secret-that-is-longer-than-32-bytes";

std::string post_for(std::uint16_t port,
                     std::string const& path,
                     boost::json::object const& body,
                     std::string_view field) {
    auto r = HttpClient{port}.post(path, boost::json::serialize(body));
    std::string value = json_string(r.json, field);
    if (r.status != 200 || value.empty())
        throw std::runtime_error("wechat-sim " + path + ": " + std::to_string(r.status) + " " + r.body);
    return value;
}

}  // namespace

WeChatSimProcess::WeChatSimProcess()
    : port_(free_port()),
      process_(WX_BINARY,
               {"wechat-sim", "--listen", "127.0.0.1:" + std::to_string(port_), "--app",
                std::string{kAppId} + ":" + kSecret},
               {}) {
    auto const deadline = std::chrono::steady_clock::now() + kStartTimeout;
    while (HttpClient{port_, 500ms}.get("/control/stats").status != 200) {
        if (!process_.running() || std::chrono::steady_clock::now() > deadline)
            throw std::runtime_error("wechat-sim did not start: " + process_.stderr_text());
        std::this_thread::sleep_for(10ms);
    }
}

std::string WeChatSimProcess::login_code(std::string const& openid) {
    boost::json::object body{{"app_id", kAppId}};
    if (!openid.empty()) body["openid"] = openid;
    return post_for(port_, "/control/login-code", body, "code");
}

std::string WeChatSimProcess::phone_code(std::string const& phone) {
    return post_for(port_, "/control/phone-code", {{"app_id", kAppId}, {"phone", phone}}, "code");
}

std::int64_t WeChatSimProcess::calls(std::string const& api) {
    auto r = HttpClient{port_}.get("/control/stats");
    auto const* o = r.json.if_object();
    auto const* calls = o ? o->if_contains("calls") : nullptr;
    auto const* n = calls && calls->is_object() ? calls->as_object().if_contains(api) : nullptr;
    return n && n->is_int64() ? n->as_int64() : 0;
}

Fleet::Fleet(FleetOptions options) : options_(std::move(options)) {
    database_ = std::make_unique<MariadbDatabase>();
    start(database_->url());
}

Fleet::Fleet(FleetOptions options, std::string database_url) : options_(std::move(options)) { start(database_url); }

Fleet::~Fleet() = default;

void Fleet::start(std::string const& database_url) {
    if (options_.redis) redis_ = std::make_unique<RedisServer>();
    for (int i = 0; i < options_.instances; ++i) {
        std::uint16_t const port = free_port();
        std::map<std::string, std::string> env{
            {"WXLOGIN_LISTEN", "127.0.0.1:" + std::to_string(port)},
            {"WXLOGIN_DATABASE_URL", database_url},
            {"WXLOGIN_JWT_SECRET", kJwtSecret},
            {"WXLOGIN_WECHAT_APPID", WeChatSimProcess::kAppId},
            {"WXLOGIN_WECHAT_SECRET", WeChatSimProcess::kSecret},
            {"WXLOGIN_WECHAT_API_BASE", "http://127.0.0.1:" + std::to_string(sim_.port())},
            {"WXLOGIN_IO_THREADS", "2"},
            {"WXLOGIN_LOG_LEVEL", "warn"},
            // OWASP's minimum Argon2id cost: the fleet tests are about sharing, not hashing.
            {"WXLOGIN_PASSWORD_MEMLIMIT_KIB", "19456"},
            {"WXLOGIN_PASSWORD_QUEUE", "16"},
            {"WXLOGIN_SHUTDOWN_GRACE_MS", "2000"}};
        if (redis_) env["WXLOGIN_REDIS_URL"] = "redis://127.0.0.1:" + std::to_string(redis_->port());
        for (auto const& [k, v] : options_.env) env[k] = v;
        instances_.push_back(std::make_unique<Process>(WX_BINARY, std::vector<std::string>{"serve"}, env));
        ports_.push_back(port);
    }
    // Started together, waited for together: the migrations race as they would in a rollout.
    for (int i = 0; i < size(); ++i) {
        if (!instances_[i]->wait_listening(ports_[i], kStartTimeout))
            throw std::runtime_error("instance " + std::to_string(i) + " did not start: " + log(i));
    }
}

HttpResult Fleet::wechat_login(HttpClient& client, std::string const& openid) {
    boost::json::object body{{"code", sim_.login_code(openid)}};
    return client.post("/api/v1/auth/wechat/login", boost::json::serialize(body));
}

}  // namespace wx::test
