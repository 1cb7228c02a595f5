// RequireAuth against the seams it consults: a revoked session is 401 token_revoked, and a
// revocation list that cannot vouch for a session fails closed with 503 — never a 200.
#include "api/require_auth.hpp"

#include <gtest/gtest.h>

#include <string>

#include "auth/jwt.hpp"
#include "core/clock.hpp"
#include "support/run_sync.hpp"

namespace wx::api {
namespace {

using test::run_sync;

constexpr std::int64_t kNow = 1'800'000'000;

class FixedRevocations final : public store::RevocationList {
public:
    Status status = Status::live;
    [[nodiscard]] Status check(std::string_view) const override { return status; }
    Task<void> announce(std::vector<store::RevokedSession>) override { co_return; }
    void restore(std::vector<store::RevokedSession> const&) override {}
    [[nodiscard]] std::size_t size() const override { return 0; }
    void database_caught_up(std::chrono::steady_clock::time_point) override {}
};

class OneUser final : public store::UserCache {
public:
    Task<result<store::CachedUserPtr>> get(std::int64_t id) override {
        store::User u;
        u.id = id;
        co_return std::make_shared<store::CachedUser const>(store::CachedUser{u, "{}"});
    }
    Task<store::CachedUserPtr> put(store::User user) override {
        co_return std::make_shared<store::CachedUser const>(store::CachedUser{user, "{}"});
    }
    Task<void> invalidate(std::int64_t) override { co_return; }
    [[nodiscard]] store::UserCacheStats stats() const override { return {}; }
};

Task<http::Response> reached_handler(http::Request& req, http::RequestContext&) {
    http::Response res{http::status::ok, req.version()};
    res.body() = "handler";
    co_return res;
}

class RequireAuthTest : public ::testing::Test {
protected:
    http::Response call() {
        auth::Claims c;
        c.sub = "42";
        c.sid = "session-1";
        c.jti = "token-1";
        c.role = "user";
        c.iat = kNow;
        c.exp = kNow + 600;
        http::Request req{http::verb::get, "/api/v1/users/me", 11};
        req.set(http::bhttp::field::authorization, "Bearer " + jwt_.sign(c));
        http::RequestContext ctx;
        http::Handler endpoint = reached_handler;
        http::Next next{{}, endpoint};
        return run_sync(guard_.handle(req, ctx, next));
    }

    TestClock clock_{kNow};
    auth::JwtCodec jwt_{std::string(48, 'k'), auth::JwtSettings{}, clock_};
    FixedRevocations revocations_;
    OneUser users_;
    RequireAuth guard_{jwt_, revocations_, users_};
};

TEST_F(RequireAuthTest, ALiveSessionReachesTheHandler) {
    auto res = call();
    EXPECT_EQ(res.result(), http::status::ok);
    EXPECT_EQ(res.body(), "handler");
}

TEST_F(RequireAuthTest, ARevokedSessionIsRefused) {
    revocations_.status = store::RevocationList::Status::revoked;
    auto res = call();
    EXPECT_EQ(res.result(), http::status::unauthorized);
    EXPECT_NE(res.body().find("\"token_revoked\""), std::string::npos) << res.body();
}

TEST_F(RequireAuthTest, AnUnknownRevocationStateFailsClosed) {
    revocations_.status = store::RevocationList::Status::unknown;
    auto res = call();
    EXPECT_EQ(res.result(), http::status::service_unavailable);
    EXPECT_NE(res.body().find("\"unavailable\""), std::string::npos) << res.body();
    EXPECT_EQ(res[http::bhttp::field::retry_after], "1");
}

}  // namespace
}  // namespace wx::api
