// Sessions that really end: refresh rotation with reuse detection, logout, logout everywhere,
// revocation across restarts. The real App with the embedded simulator and a SQLite file; time
// moves on an injected TestClock, never by sleeping.
#include "support/sessions.hpp"

#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <latch>
#include <thread>
#include <vector>

#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr char const* kMe = "/api/v1/users/me";
constexpr std::int64_t kAccessTtl = 600;
constexpr std::int64_t kRefreshTtl = 3600;

class Sessions : public ::testing::Test {
protected:
    void SetUp() override { init_test_process(); }

    HttpClient client() { return app_.client(); }
    // The error code /users/me answers with this access token, or "ok".
    std::string me_with(std::string const& access) {
        HttpClient c = client();
        auto r = c.get(kMe, bearer(access));
        if (r.status == 200) return "ok";
        EXPECT_EQ(r.status, 401u) << r.body;
        EXPECT_EQ(r.header("WWW-Authenticate"), R"(Bearer error="invalid_token")");
        return r.error_code();
    }
    std::string refresh_code(std::string const& token) {
        HttpClient c = client();
        auto r = refresh(c, token);
        if (r.response.status == 200) return "ok";
        EXPECT_EQ(r.response.status, 401u) << r.response.body;
        return r.response.error_code();
    }
    HttpResult post_bearer(char const* path, std::string const& access) {
        HttpClient c = client();
        return c.post(path, "", bearer(access));
    }

    TestClock clock_{SystemClock{}.now()};
    TestApp app_{
        {{"WXLOGIN_ACCESS_TTL", std::to_string(kAccessTtl)}, {"WXLOGIN_REFRESH_TTL", std::to_string(kRefreshTtl)}},
        clock_};
};

TEST_F(Sessions, RefreshReturnsANewPairAndSpendsTheOldToken) {
    HttpClient c = client();
    auto first = wechat_login(c);
    ASSERT_EQ(first.response.status, 200u) << first.response.body;

    auto second = refresh(c, first.refresh);
    ASSERT_EQ(second.response.status, 200u) << second.response.body;
    EXPECT_NE(second.refresh, first.refresh);
    EXPECT_NE(second.access, first.access);
    EXPECT_EQ(second.user_id, first.user_id);
    EXPECT_EQ(second.response.header("Cache-Control"), "no-store");
    auto const& o = second.response.json.as_object();
    EXPECT_EQ(o.at("token_type").as_string(), "Bearer");
    EXPECT_EQ(o.at("expires_in").as_int64(), kAccessTtl);
    EXPECT_EQ(o.at("refresh_expires_in").as_int64(), kRefreshTtl);  // absolute: never extended
    EXPECT_FALSE(o.at("new_user").as_bool());
    EXPECT_EQ(me_with(second.access), "ok");
    EXPECT_EQ(me_with(first.access), "ok");  // an old access token lives until its own expiry
}

TEST_F(Sessions, RefreshExpiryIsAbsolute) {
    HttpClient c = client();
    auto first = wechat_login(c);
    clock_.advance(kRefreshTtl / 2);
    auto second = refresh(c, first.refresh);
    ASSERT_EQ(second.response.status, 200u);
    EXPECT_EQ(second.response.json.as_object().at("refresh_expires_in").as_int64(), kRefreshTtl / 2);

    clock_.advance(kRefreshTtl / 2);
    EXPECT_EQ(refresh_code(second.refresh), "refresh_token_expired");
    EXPECT_EQ(me_with(second.access), "token_expired");
}

TEST_F(Sessions, AccessTokensExpireOnTheInjectedClock) {
    HttpClient c = client();
    auto pair = wechat_login(c);
    clock_.advance(kAccessTtl - 1);
    EXPECT_EQ(me_with(pair.access), "ok");
    clock_.advance(1);
    EXPECT_EQ(me_with(pair.access), "token_expired");
    EXPECT_EQ(refresh_code(pair.refresh), "ok");  // the refresh token outlives it
}

TEST_F(Sessions, ReplayingASpentTokenRevokesTheWholeFamily) {
    HttpClient c = client();
    std::vector<TokenPair> generations{wechat_login(c)};
    for (int i = 0; i < 4; ++i) {
        generations.push_back(refresh(c, generations.back().refresh));
        ASSERT_EQ(generations.back().response.status, 200u) << generations.back().response.body;
    }
    // An attacker replays a token from three generations back.
    EXPECT_EQ(refresh_code(generations[1].refresh), "refresh_token_reused");

    for (auto const& g : generations) EXPECT_EQ(me_with(g.access), "token_revoked");
    EXPECT_EQ(refresh_code(generations.back().refresh), "refresh_token_invalid");
    // Replaying again is still refused, and never revives anything.
    EXPECT_EQ(refresh_code(generations[0].refresh), "refresh_token_invalid");
}

TEST_F(Sessions, ConcurrentRefreshesOfOneTokenHaveExactlyOneWinner) {
    HttpClient c = client();
    auto pair = wechat_login(c);
    constexpr int kRacers = 12;
    std::vector<unsigned> statuses(kRacers);
    std::vector<std::string> codes(kRacers);
    std::latch go{kRacers};
    std::vector<std::thread> racers;
    for (int i = 0; i < kRacers; ++i) {
        racers.emplace_back([&, i] {
            HttpClient own = client();
            go.arrive_and_wait();
            auto r = refresh(own, pair.refresh);
            statuses[i] = r.response.status;
            codes[i] = r.response.error_code();
        });
    }
    for (auto& t : racers) t.join();
    int winners = 0, reused = 0, invalid = 0;
    std::string answers;  // for the failure messages
    for (int i = 0; i < kRacers; ++i) {
        winners += statuses[i] == 200;
        reused += statuses[i] == 401 && codes[i] == "refresh_token_reused";
        invalid += statuses[i] == 401 && codes[i] == "refresh_token_invalid";
        // Appended, not a + chain: g++ 12 warns falsely (-Wrestrict) on that form.
        answers.append(" ").append(std::to_string(statuses[i])).append(":").append(codes[i]);
    }
    // The first refresh to commit spends the token; every other one presented a spent token.
    EXPECT_EQ(winners, 1) << answers;
    EXPECT_EQ(winners + reused + invalid, kRacers) << "an answer other than 200, reused or invalid:" << answers;
    // A bound, not a count: the first loser revokes the family, and whether a later loser sees the
    // spent token (reused) or the revoked session (invalid) depends on the interleaving.
    EXPECT_GE(reused, 1) << answers;
    // The losers presented a spent token, so the family is gone: strict rotation (README).
    EXPECT_EQ(me_with(pair.access), "token_revoked");
}

TEST_F(Sessions, BadRefreshRequestsAreRefusedWithTheRightCode) {
    HttpClient c = client();
    auto pair = wechat_login(c);

    auto missing = c.post("/api/v1/auth/refresh", "{}");
    EXPECT_EQ(missing.status, 400u);
    EXPECT_EQ(missing.error_code(), "invalid_request");
    auto wrong_type = c.post("/api/v1/auth/refresh", R"({"refresh_token": 42})");
    EXPECT_EQ(wrong_type.status, 400u);
    auto text = c.post("/api/v1/auth/refresh", "refresh_token=x", {{"Content-Type", "text/plain"}});
    EXPECT_EQ(text.status, 415u);

    EXPECT_EQ(refresh_code("garbage"), "refresh_token_invalid");
    EXPECT_EQ(refresh_code(std::string(64, 'A')), "refresh_token_invalid");  // right shape, unknown
    EXPECT_EQ(refresh_code(std::string(43, 'A')), "refresh_token_invalid");  // the earlier shape, unknown
    EXPECT_EQ(refresh_code(pair.access), "refresh_token_invalid");           // an access token is not one
    EXPECT_EQ(refresh_code(pair.refresh + "\n"), "refresh_token_invalid");
    // However long, a string that is not one of our tokens is a malformed token, not a bad field.
    EXPECT_EQ(refresh_code(std::string(513, 'A')), "refresh_token_invalid");
    EXPECT_EQ(refresh_code(pair.refresh + std::string(5000, 'A')), "refresh_token_invalid");
    EXPECT_EQ(refresh_code(pair.refresh), "ok");  // none of the above touched the real token
}

TEST_F(Sessions, LogoutEndsOnlyTheCallersSession) {
    HttpClient c = client();
    std::string openid = "o_logout_user";
    auto phone = wechat_login(c, openid);
    auto laptop = wechat_login(c, openid);
    ASSERT_EQ(phone.user_id, laptop.user_id);

    auto out = post_bearer("/api/v1/auth/logout", phone.access);
    EXPECT_EQ(out.status, 204u) << out.body;
    EXPECT_TRUE(out.body.empty());

    EXPECT_EQ(me_with(phone.access), "token_revoked");
    EXPECT_EQ(refresh_code(phone.refresh), "refresh_token_invalid");
    EXPECT_EQ(me_with(laptop.access), "ok");
    EXPECT_EQ(refresh_code(laptop.refresh), "ok");
}

TEST_F(Sessions, LogoutRevokesEveryAccessTokenOfTheSession) {
    HttpClient c = client();
    auto first = wechat_login(c);
    auto second = refresh(c, first.refresh);
    ASSERT_EQ(second.response.status, 200u);
    // Logging out with the older access token still ends the newer one: they share the session.
    EXPECT_EQ(post_bearer("/api/v1/auth/logout", first.access).status, 204u);
    EXPECT_EQ(me_with(second.access), "token_revoked");
    EXPECT_EQ(refresh_code(second.refresh), "refresh_token_invalid");
}

TEST_F(Sessions, LogoutNeedsAValidToken) {
    HttpClient c = client();
    auto missing = c.post("/api/v1/auth/logout", "");
    EXPECT_EQ(missing.status, 401u);
    EXPECT_EQ(missing.error_code(), "unauthorized");
    auto pair = wechat_login(c);
    EXPECT_EQ(post_bearer("/api/v1/auth/logout", pair.access).status, 204u);
    auto again = post_bearer("/api/v1/auth/logout", pair.access);
    EXPECT_EQ(again.status, 401u);
    EXPECT_EQ(again.error_code(), "token_revoked");
}

TEST_F(Sessions, LogoutAllEndsEverySessionOfTheUserOnly) {
    HttpClient c = client();
    std::vector<TokenPair> mine;
    for (int i = 0; i < 3; ++i) mine.push_back(wechat_login(c, "o_everywhere"));
    auto someone_else = wechat_login(c);

    EXPECT_EQ(post_bearer("/api/v1/auth/logout-all", mine[1].access).status, 204u);
    for (auto const& s : mine) {
        EXPECT_EQ(me_with(s.access), "token_revoked");
        EXPECT_EQ(refresh_code(s.refresh), "refresh_token_invalid");
    }
    EXPECT_EQ(me_with(someone_else.access), "ok");
    // Logging in again afterwards works, in the same second as the logout.
    auto fresh = wechat_login(c, "o_everywhere");
    ASSERT_EQ(fresh.response.status, 200u);
    EXPECT_EQ(me_with(fresh.access), "ok");
}

TEST_F(Sessions, RevocationsSurviveARestart) {
    HttpClient c = client();
    auto out = wechat_login(c, "o_restart");
    auto reused = wechat_login(c, "o_restart");
    auto kept = wechat_login(c, "o_restart");
    auto next = refresh(c, reused.refresh);
    ASSERT_EQ(post_bearer("/api/v1/auth/logout", out.access).status, 204u);
    ASSERT_EQ(refresh_code(reused.refresh), "refresh_token_reused");

    app_.restart();

    EXPECT_EQ(me_with(out.access), "token_revoked");
    EXPECT_EQ(me_with(reused.access), "token_revoked");
    EXPECT_EQ(me_with(next.access), "token_revoked");
    EXPECT_EQ(refresh_code(out.refresh), "refresh_token_invalid");
    EXPECT_EQ(refresh_code(next.refresh), "refresh_token_invalid");
    EXPECT_EQ(me_with(kept.access), "ok");
    EXPECT_EQ(refresh_code(kept.refresh), "ok");
}

TEST_F(Sessions, DisabledAndDeletedUsersTokensAreRevoked) {
    HttpClient c = client();
    auto disabled = wechat_login(c, "o_disabled");
    auto deleted = wechat_login(c, "o_deleted");
    app_.shutdown();
    app_.exec_sql(
        "UPDATE users SET disabled = 1 WHERE id IN (SELECT user_id FROM wechat_identities WHERE openid = "
        "'o_disabled')");
    app_.exec_sql(
        "DELETE FROM users WHERE id IN (SELECT user_id FROM wechat_identities WHERE "
        "openid = 'o_deleted')");
    app_.restart();

    EXPECT_EQ(me_with(disabled.access), "token_revoked");
    EXPECT_EQ(refresh_code(disabled.refresh), "refresh_token_invalid");
    EXPECT_EQ(me_with(deleted.access), "token_revoked");
    EXPECT_EQ(refresh_code(deleted.refresh), "refresh_token_invalid");
}

TEST_F(Sessions, RevokedSessionsLeaveMemoryOnceTheirTokensExpire) {
    HttpClient c = client();
    auto pair = wechat_login(c);
    ASSERT_EQ(post_bearer("/api/v1/auth/logout", pair.access).status, 204u);
    clock_.advance(kAccessTtl);
    app_.restart();  // a restart loads only revocations that still matter
    EXPECT_EQ(me_with(pair.access), "token_expired");
    EXPECT_EQ(refresh_code(pair.refresh), "refresh_token_invalid");
}

}  // namespace
}  // namespace wx::test
