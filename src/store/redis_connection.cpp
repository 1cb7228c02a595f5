#include "store/redis_connection.hpp"

#include <hiredis/hiredis.h>
#include <poll.h>
#include <signal.h>
#include <sys/time.h>

#include <array>
#include <ctime>

namespace wx::store {
namespace {

class Category final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "redis"; }
    std::string message(int ev) const override {
        switch (static_cast<RedisErrc>(ev)) {
            case RedisErrc::unavailable:
                return "redis unavailable";
            case RedisErrc::overloaded:
                return "too many blocking calls waiting";
            case RedisErrc::error_reply:
                return "redis answered an error";
            case RedisErrc::unexpected_reply:
                return "unexpected redis reply";
        }
        return "redis error";
    }
};

timeval to_timeval(std::chrono::milliseconds ms) {
    auto const count = std::max<std::int64_t>(ms.count(), 1);
    return timeval{static_cast<time_t>(count / 1000), static_cast<suseconds_t>((count % 1000) * 1000)};
}

// hiredis writes with write(2), which raises SIGPIPE on a connection the server has closed; the
// process may not ignore it (wxlogin leaves signal dispositions alone), and the pool threads are
// not ours to mask for good. So the signal is blocked around each write and, if one was raised,
// consumed before the mask is restored: the write's EPIPE is the error we act on.
class SigpipeBlocked {
public:
    SigpipeBlocked() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe_, &previous_);
        already_blocked_ = sigismember(&previous_, SIGPIPE) == 1;
    }
    SigpipeBlocked(SigpipeBlocked const&) = delete;
    SigpipeBlocked& operator=(SigpipeBlocked const&) = delete;
    ~SigpipeBlocked() {
        if (already_blocked_) return;  // the thread's owner handles it (the feed thread keeps it blocked)
        sigset_t pending;
        sigemptyset(&pending);
        if (sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE) == 1) {
            timespec const now{0, 0};
            (void)sigtimedwait(&pipe_, nullptr, &now);
        }
        pthread_sigmask(SIG_SETMASK, &previous_, nullptr);
    }

private:
    sigset_t pipe_{};
    sigset_t previous_{};
    bool already_blocked_ = false;
};

RedisReply convert(redisReply const* r) {
    RedisReply out;
    switch (r->type) {
        case REDIS_REPLY_STRING:
            out.type = RedisReply::Type::string;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_STATUS:
            out.type = RedisReply::Type::status;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = RedisReply::Type::error;
            out.str.assign(r->str, r->len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = RedisReply::Type::integer;
            out.integer = r->integer;
            break;
        case REDIS_REPLY_ARRAY:
            out.type = RedisReply::Type::array;
            out.elements.reserve(r->elements);
            for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
            break;
        default:
            out.type = RedisReply::Type::nil;
            break;
    }
    return out;
}

struct ReplyFree {
    void operator()(void* r) const { freeReplyObject(r); }
};
using ReplyPtr = std::unique_ptr<void, ReplyFree>;

struct Argv {
    std::vector<char const*> data;
    std::vector<std::size_t> lengths;
    explicit Argv(std::span<std::string const> args) {
        data.reserve(args.size());
        lengths.reserve(args.size());
        for (auto const& a : args) {
            data.push_back(a.data());
            lengths.push_back(a.size());
        }
    }
    [[nodiscard]] int count() const { return static_cast<int>(data.size()); }
};

}  // namespace

boost::system::error_category const& redis_category() noexcept {
    static Category const c;
    return c;
}

bool is_unavailable_reply(std::string_view error) noexcept {
    // OOM: a full Redis under noeviction refuses writes; the seams then act as if it were down.
    for (std::string_view code : {"LOADING", "BUSY", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "OOM"})
        if (error.substr(0, code.size()) == code) return true;
    return false;
}

result<std::unique_ptr<RedisConnection>> RedisConnection::open(RedisConfig const& config,
                                                               RedisOptions const& options,
                                                               std::string* why) {
    auto say = [why](std::string reason) {
        if (why) *why = std::move(reason);
        return error_code{RedisErrc::unavailable};
    };
    redisContext* c = redisConnectWithTimeout(config.host.c_str(), config.port, to_timeval(options.connect_timeout));
    if (c == nullptr) return say("cannot allocate a redis context");
    std::unique_ptr<RedisConnection> conn{new RedisConnection(c)};
    if (c->err) return say(c->errstr);
    if (redisSetTimeout(c, to_timeval(options.command_timeout)) != REDIS_OK) return say(c->errstr);
    (void)redisEnableKeepAlive(c);  // a silently dead peer is noticed by the subscriber too

    auto handshake = [&conn, &say](std::vector<std::string> const& args, char const* step) -> error_code {
        auto reply = conn->run(args);
        if (!reply) return say(std::string{step} + ": " + conn->failure());
        // Redis's messages never echo the password ("WRONGPASS invalid username-password pair").
        if (reply->type == RedisReply::Type::error) return say(std::string{step} + " refused: " + reply->str);
        return {};
    };
    if (!config.password.empty())
        if (auto ec = handshake({"AUTH", config.password}, "AUTH")) return ec;
    if (config.db != 0)
        if (auto ec = handshake({"SELECT", std::to_string(config.db)}, "SELECT")) return ec;
    return conn;
}

RedisConnection::~RedisConnection() { redisFree(context_); }

error_code RedisConnection::fail() {
    broken_ = true;
    failure_ = context_->err ? context_->errstr : "connection failed";
    // A socket timeout reads as EAGAIN's text; say what it means.
    if (failure_ == "Resource temporarily unavailable") failure_ = "no answer within the timeout";
    return RedisErrc::unavailable;
}

result<RedisReply> RedisConnection::run(std::span<std::string const> args) {
    if (broken_) return error_code{RedisErrc::unavailable};
    Argv argv{args};
    SigpipeBlocked no_sigpipe;
    ReplyPtr reply{redisCommandArgv(context_, argv.count(), argv.data.data(), argv.lengths.data())};
    if (!reply) return fail();
    return convert(static_cast<redisReply const*>(reply.get()));
}

result<void> RedisConnection::send(std::span<std::string const> args) {
    if (broken_) return error_code{RedisErrc::unavailable};
    Argv argv{args};
    if (redisAppendCommandArgv(context_, argv.count(), argv.data.data(), argv.lengths.data()) != REDIS_OK)
        return fail();
    SigpipeBlocked no_sigpipe;
    int done = 0;
    while (!done)
        if (redisBufferWrite(context_, &done) != REDIS_OK) return fail();
    return {};
}

result<void> RedisConnection::receive() {
    if (broken_) return error_code{RedisErrc::unavailable};
    if (redisBufferRead(context_) != REDIS_OK) return fail();
    return {};
}

result<std::optional<RedisReply>> RedisConnection::next_reply() {
    if (broken_) return error_code{RedisErrc::unavailable};
    void* raw = nullptr;
    if (redisGetReplyFromReader(context_, &raw) != REDIS_OK) return fail();
    if (raw == nullptr) return std::optional<RedisReply>{};
    ReplyPtr reply{raw};
    return std::optional<RedisReply>{convert(static_cast<redisReply const*>(raw))};
}

int RedisConnection::fd() const { return context_->fd; }

bool RedisConnection::closed_while_idle() const {
    pollfd p{context_->fd, POLLIN, 0};
    return ::poll(&p, 1, 0) != 0;  // readable, hung up, or poll failed: not safe to reuse
}

}  // namespace wx::store
