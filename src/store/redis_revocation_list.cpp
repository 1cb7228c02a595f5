#include "store/redis_revocation_list.hpp"

#include <charconv>

namespace wx::store {
namespace {

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
    : local_(clock, options.vouch_window),
      feed_(feed),
      subscription_(feed.listen(kRevocationChannel,
                                RedisFeed::Listener{[this](std::string_view body) { on_message(body); }, {}})) {}

// The local copy applies the database half of the rule (a recent complete poll); when it cannot
// vouch, the feed can, if it has been subscribed since before that poll began.
RevocationList::Status RedisRevocationList::check(std::string_view session_id) const {
    Status const s = local_.check(session_id);
    if (s != Status::unknown) return s;
    return feed_vouches() ? Status::live : Status::unknown;
}

bool RedisRevocationList::vouched() const { return local_.vouched() || feed_vouches(); }

bool RedisRevocationList::feed_vouches() const {
    auto const caught = local_.last_caught_up();
    auto const since = feed_.connected_since();
    return caught && since && *since <= *caught;
}

void RedisRevocationList::database_caught_up(std::chrono::steady_clock::time_point poll_started) {
    local_.database_caught_up(poll_started);
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
