#include "store/redis_client.hpp"

#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <stdexcept>

#include "obs/log.hpp"

namespace wx::store {
namespace {

std::int64_t steady_now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::string sha1_hex(std::string_view text) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
    unsigned int len = 0;
    if (EVP_Digest(text.data(), text.size(), digest.data(), &len, EVP_sha1(), nullptr) != 1)
        throw std::runtime_error("SHA-1 of a Lua script failed");
    static constexpr char kHex[] = "0123456789abcdef";
    std::string out;
    out.reserve(2 * len);
    for (unsigned int i = 0; i < len; ++i) {
        out += kHex[digest[i] >> 4];
        out += kHex[digest[i] & 0xf];
    }
    return out;
}

}  // namespace

RedisScript::RedisScript(std::string text) : text_(std::move(text)), sha1_(sha1_hex(text_)) {}

RedisClient::RedisClient(RedisConfig config, RedisOptions options, BlockingPool& pool)
    : config_(std::move(config)),
      options_(std::move(options)),
      pool_(pool),
      connections_([this] { return open(); }, options_.max_idle) {}

std::string RedisClient::key(std::string_view name) const {
    std::string k = options_.prefix;
    k.append(name);
    return k;
}

result<std::unique_ptr<RedisConnection>> RedisClient::open() {
    std::string why;
    auto opened = RedisConnection::open(config_, options_, &why);
    if (!opened) failed(why);
    return opened;
}

void RedisClient::succeeded() {
    if (state_.exchange(State::up, std::memory_order_acq_rel) == State::down)
        obs::log_info("redis_available", {{"host", config_.host}, {"port", config_.port}});
}

void RedisClient::failed(std::string_view why) {
    failures_.fetch_add(1, std::memory_order_relaxed);
    auto const wait = std::chrono::duration_cast<std::chrono::nanoseconds>(options_.retry_after).count();
    retry_at_.store(steady_now_ns() + wait, std::memory_order_release);
    if (state_.exchange(State::down, std::memory_order_acq_rel) != State::down)
        obs::log_warn("redis_unavailable", {{"host", config_.host}, {"port", config_.port}, {"reason", why}});
}

// An idle connection the server closed meanwhile (a restart, its idle timeout) is dropped before
// use rather than failing the command; at most max_idle of them can be queued, then one is opened.
result<RedisClient::Connections::Lease> RedisClient::take_connection() {
    for (std::size_t i = 0; i <= options_.max_idle; ++i) {
        auto lease = connections_.lease();
        if (!lease) return lease.error();
        if (!(*lease)->closed_while_idle()) return lease;
        lease->discard();
    }
    return connections_.lease();
}

result<RedisReply> RedisClient::with_connection(std::vector<std::string>& args, RedisScript const* script) {
    // While Redis is down, one command at a time probes it after the retry pause; the others fail
    // at once, so that a black-holed Redis holds one pool thread for a connect timeout, not all.
    bool probing = false;
    if (state() == State::down) {
        if (steady_now_ns() < retry_at_.load(std::memory_order_acquire)) return error_code{RedisErrc::unavailable};
        if (probing_.exchange(true, std::memory_order_acq_rel)) return error_code{RedisErrc::unavailable};
        probing = true;
    }
    struct EndProbe {
        std::atomic<bool>& flag;
        bool active;
        ~EndProbe() {
            if (active) flag.store(false, std::memory_order_release);
        }
    } const end_probe{probing_, probing};
    auto lease = take_connection();
    if (!lease) return lease.error();
    auto reply = (*lease)->run(args);
    if (reply && script && reply->type == RedisReply::Type::error && reply->str.starts_with("NOSCRIPT")) {
        args[0] = "EVAL";
        args[1] = script->text();
        reply = (*lease)->run(args);
    }
    if (!reply) {
        failed((*lease)->failure());
        lease->discard();
        return reply.error();
    }
    if (reply->type == RedisReply::Type::error) {
        if (is_unavailable_reply(reply->str)) {
            failed(reply->str);
            return error_code{RedisErrc::unavailable};
        }
        succeeded();
        // A refused command is our bug (a script error, a wrong type under our prefix): say which.
        obs::log_warn("redis_error_reply", {{"command", args[0]}, {"error", reply->str.substr(0, 200)}});
        return error_code{RedisErrc::error_reply};
    }
    succeeded();
    return reply;
}

result<RedisReply> RedisClient::command_now(std::vector<std::string> const& args) {
    std::vector<std::string> copy = args;
    return with_connection(copy, nullptr);
}

result<RedisReply> RedisClient::eval_now(RedisScript const* script,
                                         std::vector<std::string> const& keys,
                                         std::vector<std::string> const& args) {
    std::vector<std::string> argv;
    argv.reserve(3 + keys.size() + args.size());
    argv.emplace_back("EVALSHA");
    argv.push_back(script->sha1());
    argv.push_back(std::to_string(keys.size()));
    argv.insert(argv.end(), keys.begin(), keys.end());
    argv.insert(argv.end(), args.begin(), args.end());
    return with_connection(argv, script);
}

Task<result<RedisReply>> RedisClient::command(std::vector<std::string> args) {
    std::optional<result<RedisReply>> r = co_await pool_.run(&RedisClient::command_now, this, std::move(args));
    if (!r) co_return error_code{RedisErrc::overloaded};
    co_return std::move(*r);
}

Task<result<RedisReply>> RedisClient::eval(RedisScript const& script,
                                           std::vector<std::string> keys,
                                           std::vector<std::string> args) {
    RedisScript const* s = &script;
    std::optional<result<RedisReply>> r =
        co_await pool_.run(&RedisClient::eval_now, this, s, std::move(keys), std::move(args));
    if (!r) co_return error_code{RedisErrc::overloaded};
    co_return std::move(*r);
}

Task<bool> RedisClient::ping() {
    std::vector<std::string> args{"PING"};
    auto r = co_await command(std::move(args));
    co_return r && r->type == RedisReply::Type::status && r->str == "PONG";
}

}  // namespace wx::store
