#include "store/redis_revocation_list.hpp"

#include <charconv>

namespace wx::store {
namespace {

std::int64_t to_ns(std::chrono::steady_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
}

bool publishable(std::string_view id) { return !id.empty() && id.find_first_of(" \t\r\n") == std::string_view::npos; }

}  // namespace

std::string encode_revocations(std::vector<RevokedSession> const& sessions) {
    std::string body;
    for (auto const& s : sessions) {
        if (!publishable(s.id)) continue;  // cannot be framed; the change log still carries it
        body += std::to_string(s.access_expires_at);
        body += ' ';
        body += s.id;
        body += '\n';
    }
    return body;
}

std::vector<RevokedSession> decode_revocations(std::string_view body) {
    std::vector<RevokedSession> out;
    while (!body.empty()) {
        auto const end = body.find('\n');
        std::string_view line = body.substr(0, end);
        body = end == std::string_view::npos ? std::string_view{} : body.substr(end + 1);
        auto const space = line.find(' ');
        if (space == std::string_view::npos) continue;
        std::int64_t until = 0;
        auto [p, ec] = std::from_chars(line.data(), line.data() + space, until);
        std::string_view const id = line.substr(space + 1);
        if (ec != std::errc{} || p != line.data() + space || !publishable(id)) continue;
        out.push_back(RevokedSession{std::string{id}, until});
    }
    return out;
}

RedisRevocationList::RedisRevocationList(Clock const& clock, RedisFeed& feed, RedisRevocationListOptions options)
    : local_(clock),
      feed_(feed),
      options_(options),
      subscription_(feed.listen(kRevocationChannel,
                                RedisFeed::Listener{[this](std::string_view body) { on_message(body); }, {}})) {}

RevocationList::Status RedisRevocationList::check(std::string_view session_id) const {
    Status const s = local_.check(session_id);
    if (s == Status::revoked || options_.vouch_window.count() == 0) return s;
    return vouched() ? Status::live : Status::unknown;
}

bool RedisRevocationList::vouched() const {
    if (options_.vouch_window.count() == 0) return true;
    std::int64_t const caught = caught_up_.load(std::memory_order_acquire);
    if (caught == std::numeric_limits<std::int64_t>::min()) return false;
    std::int64_t const now = to_ns(std::chrono::steady_clock::now());
    if (now - caught <= std::chrono::duration_cast<std::chrono::nanoseconds>(options_.vouch_window).count())
        return true;
    auto const since = feed_.connected_since();
    return since && to_ns(*since) <= caught;
}

void RedisRevocationList::database_caught_up(std::chrono::steady_clock::time_point poll_started) {
    std::int64_t const t = to_ns(poll_started);
    std::int64_t seen = caught_up_.load(std::memory_order_relaxed);
    while (seen < t && !caught_up_.compare_exchange_weak(seen, t, std::memory_order_acq_rel)) {
    }
}

Task<void> RedisRevocationList::announce(std::vector<RevokedSession> sessions) {
    for (auto const& s : sessions) local_.revoke(s.id, s.access_expires_at);
    std::string body = encode_revocations(sessions);
    if (body.empty()) co_return;
    (void)co_await feed_.publish(kRevocationChannel, std::move(body));
}

void RedisRevocationList::restore(std::vector<RevokedSession> const& sessions) {
    for (auto const& s : sessions) local_.revoke(s.id, s.access_expires_at);
}

void RedisRevocationList::on_message(std::string_view body) {
    for (auto const& s : decode_revocations(body)) local_.revoke(s.id, s.access_expires_at);
}

}  // namespace wx::store
