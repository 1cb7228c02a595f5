#include "store/redis_feed.hpp"

#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <random>
#include <stdexcept>
#include <system_error>

#include "obs/log.hpp"

namespace wx::store {
namespace {

using Steady = std::chrono::steady_clock;

std::int64_t to_ns(Steady::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

std::string random_instance_id() {
    std::random_device rd;
    std::uniform_int_distribution<unsigned> nibble(0, 15);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string id(16, '0');
    for (char& c : id) c = kHex[nibble(rd)];
    return id;
}

}  // namespace

RedisFeed::Subscription::Subscription(Subscription&& other) noexcept
    : feed_(std::exchange(other.feed_, nullptr)), id_(other.id_) {}

RedisFeed::Subscription& RedisFeed::Subscription::operator=(Subscription&& other) noexcept {
    if (this != &other) {
        if (feed_) feed_->unlisten(id_);
        feed_ = std::exchange(other.feed_, nullptr);
        id_ = other.id_;
    }
    return *this;
}

RedisFeed::Subscription::~Subscription() {
    if (feed_) feed_->unlisten(id_);
}

RedisFeed::RedisFeed(RedisClient& client, RedisFeedOptions options)
    : client_(client),
      options_(options),
      instance_id_(random_instance_id()),
      channels_{client.key(kRevocationChannel), client.key(kUserChannel)} {
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (wake_fd_ < 0) throw std::system_error(errno, std::generic_category(), "eventfd for the redis feed");
}

RedisFeed::~RedisFeed() {
    stop();
    ::close(wake_fd_);
}

void RedisFeed::start() {
    std::lock_guard lock{thread_mutex_};
    if (thread_.joinable() || stopping_.load()) return;
    thread_ = std::thread([this] { run(); });
}

void RedisFeed::stop() {
    std::lock_guard lock{thread_mutex_};
    stopping_.store(true);
    std::uint64_t one = 1;
    (void)!::write(wake_fd_, &one, sizeof one);
    if (thread_.joinable()) thread_.join();
    connected_since_.store(0, std::memory_order_release);
}

RedisFeed::Subscription RedisFeed::listen(std::string_view channel, Listener listener) {
    if (channel != kRevocationChannel && channel != kUserChannel)
        throw std::invalid_argument("redis feed: no channel named " + std::string{channel});
    std::lock_guard lock{listeners_mutex_};
    std::uint64_t const id = next_id_++;
    listeners_.push_back(Entry{id, client_.key(channel), std::move(listener)});
    return Subscription{this, id};
}

void RedisFeed::unlisten(std::uint64_t id) {
    std::lock_guard lock{listeners_mutex_};
    std::erase_if(listeners_, [id](Entry const& e) { return e.id == id; });
}

Task<bool> RedisFeed::publish(std::string_view channel, std::string body) {
    std::string payload = instance_id_;
    payload += ' ';
    payload += body;
    std::vector<std::string> args{"PUBLISH", client_.key(channel), std::move(payload)};
    auto r = co_await client_.command(std::move(args));
    co_return r.has_value();
}

std::optional<Steady::time_point> RedisFeed::connected_since() const {
    std::int64_t const ns = connected_since_.load(std::memory_order_acquire);
    if (ns == 0) return std::nullopt;
    return Steady::time_point{std::chrono::nanoseconds{ns}};
}

bool RedisFeed::pause(std::chrono::milliseconds d) {
    pollfd p{wake_fd_, POLLIN, 0};
    (void)::poll(&p, 1, static_cast<int>(d.count()));
    return !stopping_.load();
}

void RedisFeed::run() {
    // This thread is ours: SIGPIPE from a write to a closed connection stays blocked for good
    // (the write's EPIPE is what we act on), so no handler or default action ever sees it.
    sigset_t pipe;
    sigemptyset(&pipe);
    sigaddset(&pipe, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe, nullptr);

    auto backoff = options_.first_backoff;
    bool outage_logged = false;
    while (!stopping_.load()) {
        std::string why;
        auto conn = RedisConnection::open(client_.config(), client_.options(), &why);
        if (conn) {
            std::uint64_t const before = subscriptions_.load();
            serve(**conn);
            bool const was_subscribed = subscriptions_.load() != before;
            connected_since_.store(0, std::memory_order_release);
            if (was_subscribed) {
                backoff = options_.first_backoff;
                outage_logged = false;
            }
            why = (*conn)->broken() ? (*conn)->failure() : "no answer to PING";
        }
        if (stopping_.load()) break;
        if (!outage_logged) {
            obs::log_warn("redis_feed_lost",
                          {{"reason", why}, {"retry_ms", static_cast<std::int64_t>(backoff.count())}});
            outage_logged = true;
        }
        if (!pause(backoff)) break;
        backoff = std::min(backoff * 2, options_.max_backoff);
    }
}

void RedisFeed::serve(RedisConnection& conn) {
    std::vector<std::string> subscribe{"SUBSCRIBE"};
    subscribe.insert(subscribe.end(), channels_.begin(), channels_.end());
    if (!conn.send(subscribe)) return;
    std::vector<std::string> const ping{"PING"};
    std::size_t confirmed = 0;
    auto last_heard = Steady::now();
    auto next_ping = last_heard + options_.ping_interval;
    while (!stopping_.load()) {
        for (;;) {
            auto reply = conn.next_reply();
            if (!reply) return;
            if (!*reply) break;
            last_heard = Steady::now();
            handle(**reply, confirmed);
        }
        auto now = Steady::now();
        if (now - last_heard > options_.dead_after) return;
        if (now >= next_ping) {
            if (!conn.send(ping)) return;
            next_ping = now + options_.ping_interval;
        }
        auto const wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_ping - now).count() + 1;
        std::array<pollfd, 2> fds{pollfd{conn.fd(), POLLIN, 0}, pollfd{wake_fd_, POLLIN, 0}};
        if (::poll(fds.data(), fds.size(), static_cast<int>(wait)) < 0 && errno != EINTR) return;
        if (fds[1].revents != 0) return;  // stop()
        if (fds[0].revents != 0 && !conn.receive()) return;
    }
}

void RedisFeed::handle(RedisReply const& reply, std::size_t& confirmed) {
    if (!reply.is_array() || reply.elements.empty()) return;
    std::string const& kind = reply.elements[0].str;
    if (kind == "message" && reply.elements.size() == 3) {
        dispatch(reply.elements[1].str, reply.elements[2].str);
    } else if (kind == "subscribe") {
        if (++confirmed == channels_.size()) announce_subscribed();
    }
    // "pong": only proof of life, which last_heard already took.
}

void RedisFeed::announce_subscribed() {
    connected_since_.store(to_ns(Steady::now()), std::memory_order_release);
    auto const n = subscriptions_.fetch_add(1) + 1;
    obs::log_info("redis_feed_subscribed", {{"subscriptions", static_cast<std::int64_t>(n)}});
    std::lock_guard lock{listeners_mutex_};
    for (auto const& e : listeners_)
        if (e.listener.subscribed) e.listener.subscribed();
}

void RedisFeed::dispatch(std::string_view channel, std::string_view payload) {
    auto const space = payload.find(' ');
    if (space == std::string_view::npos) return;
    if (payload.substr(0, space) == instance_id_) return;  // our own: applied when it was published
    std::string_view const body = payload.substr(space + 1);
    received_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock{listeners_mutex_};
    for (auto const& e : listeners_)
        if (e.channel == channel && e.listener.message) e.listener.message(body);
}

}  // namespace wx::store
