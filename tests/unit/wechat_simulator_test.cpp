// The WeChat simulator's semantics, with a test clock: single-use codes, expiry, app checks,
// stable-token renewal, phone codes and the failure queue.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <string>

#include "core/clock.hpp"
#include "sim/simulator.hpp"
#include "sim/wechat_sim_api.hpp"
#include "support/run_sync.hpp"
#include "wechat/client.hpp"
#include "wechat/open_data.hpp"

namespace wx::wechat {
namespace {

using sim::Simulator;

namespace json = boost::json;

constexpr std::int64_t kStart = 1'700'000'000;

json::object body_of(Simulator::Reply const& r) {
    json::value v = json::parse(r.body);
    return v.as_object();
}

std::string text(json::value const& v) { return std::string{std::string_view{v.as_string()}}; }

std::int64_t errcode_of(Simulator::Reply const& r) {
    auto o = body_of(r);
    auto const* e = o.if_contains("errcode");
    return e ? e->as_int64() : 0;
}

class SimulatorTest : public ::testing::Test {
protected:
    TestClock clock_{kStart};
    Simulator sim_{clock_, {{"wxA", "secA"}, {"wxB", "secB"}}};

    static Simulator::Params login_query(std::string app, std::string secret, std::string code) {
        return {{"appid", std::move(app)},
                {"secret", std::move(secret)},
                {"js_code", std::move(code)},
                {"grant_type", "authorization_code"}};
    }
    Simulator::Reply exchange(std::string const& code, std::string app = "wxA", std::string secret = "secA") {
        return sim_.jscode2session(login_query(std::move(app), std::move(secret), code));
    }
    std::string stable_token(std::string const& app = "wxA", bool force = false) {
        json::object req{{"grant_type", "client_credential"}, {"appid", app}, {"secret", "sec" + app.substr(2)}};
        if (force) req["force_refresh"] = true;
        auto r = sim_.stable_token(json::serialize(req));
        auto o = body_of(r);
        return text(o.at("access_token"));
    }
    std::int64_t phone_errcode(std::string const& token, std::string const& code) {
        return errcode_of(sim_.phone_number(token, json::serialize(json::object{{"code", code}})));
    }
};

TEST_F(SimulatorTest, MintedCodeExchangesOnceThenAnswers40163) {
    auto minted = sim_.mint_login_code("wxA");
    ASSERT_TRUE(minted);
    EXPECT_EQ(minted->app_id, "wxA");
    EXPECT_EQ(minted->openid.size(), 28u);
    EXPECT_EQ(minted->openid.front(), 'o');
    EXPECT_EQ(minted->session_key.size(), 24u);

    auto first = exchange(minted->code);
    EXPECT_EQ(first.status, 200u);
    auto session = parse_session(first.body);
    ASSERT_TRUE(session) << first.body;
    EXPECT_EQ(session->openid, minted->openid);
    EXPECT_EQ(session->session_key, minted->session_key);
    EXPECT_FALSE(session->unionid);
    EXPECT_EQ(body_of(first).if_contains("errcode"), nullptr);  // WeChat omits it on success

    auto second = exchange(minted->code);
    EXPECT_EQ(errcode_of(second), errcode::code_used);
    EXPECT_NE(body_of(second).at("errmsg").as_string().find("rid: "), json::string::npos);
}

TEST_F(SimulatorTest, CodeExpiresAfter300Seconds) {
    auto early = sim_.mint_login_code("wxA");
    auto late = sim_.mint_login_code("wxA");
    clock_.advance(299);
    EXPECT_EQ(errcode_of(exchange(early->code)), 0);
    clock_.advance(1);
    EXPECT_EQ(errcode_of(exchange(late->code)), errcode::invalid_code);
}

TEST_F(SimulatorTest, CodeBelongsToOneApp) {
    auto minted = sim_.mint_login_code("wxA");
    EXPECT_EQ(errcode_of(exchange(minted->code, "wxB", "secB")), errcode::invalid_code);
    // The failed attempt did not consume it.
    EXPECT_EQ(errcode_of(exchange(minted->code)), 0);
}

TEST_F(SimulatorTest, UnknownCodeIs40029) { EXPECT_EQ(errcode_of(exchange("nonsense")), errcode::invalid_code); }

TEST_F(SimulatorTest, RegisteredAppsAreChecked) {
    auto minted = sim_.mint_login_code("wxA");
    EXPECT_EQ(errcode_of(exchange(minted->code, "wxZ", "secA")), errcode::invalid_appid);
    EXPECT_EQ(errcode_of(exchange(minted->code, "wxA", "wrong")), errcode::invalid_appsecret);
    EXPECT_FALSE(sim_.mint_login_code("wxZ"));
}

TEST_F(SimulatorTest, MissingParametersAnswerWeChatErrcodes) {
    EXPECT_EQ(errcode_of(exchange("c", "", "secA")), errcode::missing_appid);
    EXPECT_EQ(errcode_of(exchange("c", "wxA", "")), errcode::missing_secret);
    EXPECT_EQ(errcode_of(exchange("")), 41008);
    auto q = login_query("wxA", "secA", "c");
    q["grant_type"] = "client_credential";
    EXPECT_EQ(errcode_of(sim_.jscode2session(q)), 40002);
}

TEST_F(SimulatorTest, WithoutRegisteredAppsAnyCredentialsWork) {
    Simulator open{clock_};
    EXPECT_EQ(open.default_app_id(), Simulator::kDefaultAppId);
    auto minted = open.mint_login_code("wxAnything");
    ASSERT_TRUE(minted);
    auto r = open.jscode2session(login_query("wxAnything", "whatever", minted->code));
    EXPECT_TRUE(parse_session(r.body)) << r.body;
    auto defaulted = open.mint_login_code("");
    EXPECT_EQ(defaulted->app_id, Simulator::kDefaultAppId);
}

TEST_F(SimulatorTest, DefaultAppIsTheFirstRegistered) {
    EXPECT_EQ(sim_.default_app_id(), "wxA");
    EXPECT_EQ(sim_.mint_login_code("")->app_id, "wxA");
}

TEST_F(SimulatorTest, EveryMintRotatesTheUsersSessionKey) {
    auto first = sim_.mint_login_code("wxA", "oUser1");
    auto second = sim_.mint_login_code("wxA", "oUser1");
    EXPECT_NE(first->session_key, second->session_key);
    // Only the newest session_key is valid, whichever code is exchanged.
    auto session = parse_session(exchange(first->code).body);
    ASSERT_TRUE(session);
    EXPECT_EQ(session->openid, "oUser1");
    EXPECT_EQ(session->session_key, second->session_key);
}

TEST_F(SimulatorTest, UnionidIsReturnedAndRemembered) {
    auto first = sim_.mint_login_code("wxA", "oUser2", std::string{"uUnion"});
    auto session = parse_session(exchange(first->code).body);
    ASSERT_TRUE(session && session->unionid);
    EXPECT_EQ(*session->unionid, "uUnion");
    auto again = sim_.mint_login_code("wxA", "oUser2");
    EXPECT_EQ(again->unionid, std::optional<std::string>{"uUnion"});
}

TEST_F(SimulatorTest, CustomCodesAreUniqueAndKeptVerbatim) {
    auto minted = sim_.mint_login_code("wxA", "", std::nullopt, "a+b/c==");
    ASSERT_TRUE(minted);
    EXPECT_EQ(minted->code, "a+b/c==");
    EXPECT_FALSE(sim_.mint_login_code("wxA", "", std::nullopt, "a+b/c=="));
    EXPECT_EQ(errcode_of(exchange("a+b/c==")), 0);
}

TEST_F(SimulatorTest, StableTokenIsTheSameUntilTheRenewalWindow) {
    auto r = sim_.stable_token(R"({"grant_type":"client_credential","appid":"wxA","secret":"secA"})");
    auto first = body_of(r);
    EXPECT_EQ(first.at("expires_in").as_int64(), Simulator::kTokenLifetime);
    std::string const token = text(first.at("access_token"));

    clock_.advance(1000);
    auto second = body_of(sim_.stable_token(R"({"grant_type":"client_credential","appid":"wxA","secret":"secA"})"));
    EXPECT_EQ(second.at("access_token").as_string(), token);
    EXPECT_EQ(second.at("expires_in").as_int64(), Simulator::kTokenLifetime - 1000);

    // 5 minutes before expiry the platform renews; the old token still works until it runs out.
    clock_.advance(Simulator::kTokenLifetime - Simulator::kTokenRenewWindow - 1000);
    std::string const renewed = stable_token();
    EXPECT_NE(renewed, token);
    auto code = sim_.mint_phone_code("wxA", "13800000000");
    EXPECT_EQ(phone_errcode(token, *code), 0);
    clock_.advance(Simulator::kTokenRenewWindow);
    auto code2 = sim_.mint_phone_code("wxA", "13800000000");
    EXPECT_EQ(phone_errcode(token, *code2), errcode::access_token_expired);
    EXPECT_EQ(phone_errcode(renewed, *code2), 0);
}

TEST_F(SimulatorTest, ForceRefreshIssuesANewTokenAndKillsTheOld) {
    std::string const old = stable_token();
    std::string const fresh = stable_token("wxA", true);
    EXPECT_NE(old, fresh);
    EXPECT_EQ(stable_token(), fresh);
    auto code = sim_.mint_phone_code("wxA", "13800000000");
    EXPECT_EQ(phone_errcode(old, *code), errcode::invalid_credential);
    EXPECT_EQ(phone_errcode(fresh, *code), 0);
}

TEST_F(SimulatorTest, StableTokensArePerApp) { EXPECT_NE(stable_token("wxA"), stable_token("wxB")); }

TEST_F(SimulatorTest, StableTokenChecksItsRequest) {
    EXPECT_EQ(errcode_of(sim_.stable_token("not json")), 47001);
    EXPECT_EQ(errcode_of(sim_.stable_token(R"({"grant_type":"x","appid":"wxA","secret":"secA"})")), 40002);
    EXPECT_EQ(errcode_of(sim_.stable_token(R"({"grant_type":"client_credential","appid":"wxA","secret":"no"})")),
              errcode::invalid_appsecret);
    EXPECT_EQ(errcode_of(sim_.stable_token(R"({"grant_type":"client_credential","appid":"wxQ","secret":"x"})")),
              errcode::invalid_appid);
}

TEST_F(SimulatorTest, ExpireAccessTokenMakesPhoneCallsAnswer42001) {
    std::string const token = stable_token();
    auto expired = sim_.expire_access_token("");
    ASSERT_TRUE(expired);
    EXPECT_EQ(*expired, 1u);
    auto code = sim_.mint_phone_code("wxA", "13800000000");
    EXPECT_EQ(phone_errcode(token, *code), errcode::access_token_expired);
    std::string const next = stable_token();
    EXPECT_NE(next, token);
    EXPECT_EQ(phone_errcode(next, *code), 0);
}

TEST_F(SimulatorTest, PlainTokenIsNewOnEveryCallAndTheOldOneLivesFiveMinutes) {
    Simulator::Params q{{"grant_type", "client_credential"}, {"appid", "wxA"}, {"secret", "secA"}};
    std::string const first = text(body_of(sim_.token(q)).at("access_token"));
    std::string const second = text(body_of(sim_.token(q)).at("access_token"));
    EXPECT_NE(first, second);
    auto code = sim_.mint_phone_code("wxA", "13800000000");
    EXPECT_EQ(phone_errcode(first, *code), 0);
    clock_.advance(Simulator::kTokenRenewWindow);
    auto code2 = sim_.mint_phone_code("wxA", "13800000000");
    EXPECT_EQ(phone_errcode(first, *code2), errcode::access_token_expired);
    EXPECT_EQ(phone_errcode(second, *code2), 0);
    // Isolated from stable_token.
    EXPECT_NE(stable_token(), second);
}

TEST_F(SimulatorTest, PhoneCodeIsSingleUseAndPerApp) {
    std::string const token = stable_token();
    auto code = sim_.mint_phone_code("wxA", "13812345678");
    auto r = sim_.phone_number(token, json::serialize(json::object{{"code", *code}}));
    auto info = parse_phone_info(r.body);
    ASSERT_TRUE(info) << r.body;
    EXPECT_EQ(info->phone_number, "13812345678");
    EXPECT_EQ(info->pure_phone_number, "13812345678");
    EXPECT_EQ(info->country_code, "86");
    EXPECT_EQ(body_of(r).at("phone_info").at("watermark").at("appid").as_string(), "wxA");
    EXPECT_EQ(phone_errcode(token, *code), errcode::invalid_code);

    auto other_app = sim_.mint_phone_code("wxB", "13812345678");
    EXPECT_EQ(phone_errcode(token, *other_app), errcode::invalid_code);
    EXPECT_EQ(phone_errcode(token, "unknown"), errcode::invalid_code);
    EXPECT_EQ(phone_errcode("not-a-token", *other_app), errcode::invalid_credential);
    EXPECT_EQ(errcode_of(sim_.phone_number("", "{}")), 41001);
}

TEST_F(SimulatorTest, PhoneCodeExpiresAfterFiveMinutes) {
    auto code = sim_.mint_phone_code("wxA", "13812345678");
    clock_.advance(Simulator::kCodeLifetime);
    EXPECT_EQ(phone_errcode(stable_token(), *code), errcode::invalid_code);
}

TEST_F(SimulatorTest, ForeignPhoneNumbersCarryTheirPrefix) {
    auto code = sim_.mint_phone_code("wxA", "5551234567", "1");
    auto info =
        parse_phone_info(sim_.phone_number(stable_token(), json::serialize(json::object{{"code", *code}})).body);
    ASSERT_TRUE(info);
    EXPECT_EQ(info->phone_number, "+15551234567");
    EXPECT_EQ(info->pure_phone_number, "5551234567");
    EXPECT_EQ(info->country_code, "1");
    EXPECT_FALSE(sim_.mint_phone_code("wxA", "12-34"));
}

TEST_F(SimulatorTest, FaultsAreConsumedInOrderAndLeaveStateAlone) {
    ASSERT_TRUE(sim_.inject({.api = "jscode2session", .errcode = -1, .times = 2}));
    ASSERT_TRUE(sim_.inject({.api = "jscode2session", .http_status = 500u}));
    EXPECT_EQ(sim_.pending_faults(), 3u);
    auto minted = sim_.mint_login_code("wxA");
    EXPECT_EQ(errcode_of(exchange(minted->code)), -1);
    EXPECT_EQ(errcode_of(exchange(minted->code)), -1);
    auto failed = exchange(minted->code);
    EXPECT_EQ(failed.status, 500u);
    EXPECT_EQ(sim_.pending_faults(), 0u);
    // None of the faulted calls consumed the code.
    EXPECT_EQ(errcode_of(exchange(minted->code)), 0);
    EXPECT_EQ(sim_.calls(Simulator::kJscode2session), 4u);
}

TEST_F(SimulatorTest, WildcardFaultsHitAnyApiAfterTheApisOwnQueue) {
    ASSERT_TRUE(sim_.inject({.api = "*", .errcode = 45011}));
    ASSERT_TRUE(sim_.inject({.api = "stable_token", .body = std::string{"<html>oops</html>"}}));
    auto own = sim_.stable_token("{}");
    EXPECT_EQ(own.body, "<html>oops</html>");
    EXPECT_EQ(errcode_of(sim_.stable_token("{}")), 45011);
    EXPECT_EQ(sim_.pending_faults(), 0u);
}

TEST_F(SimulatorTest, DelayOnlyFaultsAnswerNormallyAfterTheDelay) {
    ASSERT_TRUE(sim_.inject({.api = "jscode2session", .delay = std::chrono::milliseconds{250}}));
    auto minted = sim_.mint_login_code("wxA");
    auto slow = exchange(minted->code);
    EXPECT_EQ(slow.delay, std::chrono::milliseconds{250});
    EXPECT_TRUE(parse_session(slow.body));
    auto fast = exchange(minted->code);
    EXPECT_EQ(fast.delay, std::chrono::milliseconds{0});

    ASSERT_TRUE(sim_.inject({.api = "jscode2session", .errcode = 40226, .delay = std::chrono::milliseconds{10}}));
    auto combined = exchange("x");
    EXPECT_EQ(combined.delay, std::chrono::milliseconds{10});
    EXPECT_EQ(errcode_of(combined), 40226);
}

TEST_F(SimulatorTest, FaultsAreValidated) {
    EXPECT_FALSE(sim_.inject({.api = "nope", .errcode = 1}));
    EXPECT_FALSE(sim_.inject({.api = "token"}));
    EXPECT_FALSE(sim_.inject({.api = "token", .errcode = 1, .times = 0}));
    EXPECT_FALSE(sim_.inject({.api = "token", .http_status = 42u}));
    EXPECT_FALSE(sim_.inject({.api = "token", .delay = std::chrono::milliseconds{600000}}));
    EXPECT_EQ(sim_.pending_faults(), 0u);
}

TEST_F(SimulatorTest, CountersAndReset) {
    auto minted = sim_.mint_login_code("wxA");
    (void)exchange(minted->code);
    (void)stable_token();
    (void)stable_token();
    auto counts = sim_.call_counts();
    EXPECT_EQ(counts.at("jscode2session"), 1u);
    EXPECT_EQ(counts.at("stable_token"), 2u);
    EXPECT_EQ(counts.at("token"), 0u);
    EXPECT_EQ(counts.at("getuserphonenumber"), 0u);

    ASSERT_TRUE(sim_.inject({.api = "*", .errcode = -1}));
    sim_.reset();
    EXPECT_EQ(sim_.calls(Simulator::kStableToken), 0u);
    EXPECT_EQ(sim_.pending_faults(), 0u);
    auto again = sim_.mint_login_code("wxA");  // registered apps survive a reset
    ASSERT_TRUE(again);
    EXPECT_EQ(errcode_of(exchange(minted->code)), errcode::invalid_code);
}

TEST_F(SimulatorTest, RevokeAccessTokenMakesPhoneCallsAnswer40001) {
    std::string const token = stable_token();
    std::string const other_app = stable_token("wxB");
    auto revoked = sim_.revoke_access_token("wxA");
    ASSERT_TRUE(revoked);
    EXPECT_EQ(*revoked, 1u);
    auto code = sim_.mint_phone_code("wxA", "13800000000");
    EXPECT_EQ(phone_errcode(token, *code), errcode::invalid_credential);
    std::string const next = stable_token();
    EXPECT_NE(next, token);
    EXPECT_EQ(phone_errcode(next, *code), 0);
    auto code_b = sim_.mint_phone_code("wxB", "13800000000");
    EXPECT_EQ(phone_errcode(other_app, *code_b), 0);  // other apps keep theirs
    EXPECT_EQ(*sim_.revoke_access_token("wxA"), 1u);  // only live tokens count
    EXPECT_FALSE(sim_.revoke_access_token("wxZ"));
}

TEST_F(SimulatorTest, EncryptedPhoneDecryptsWithTheSessionKeyOfTheLatestLogin) {
    auto minted = sim_.mint_login_code("wxA", "oPhoneUser");
    auto session = parse_session(exchange(minted->code).body);
    ASSERT_TRUE(session);
    auto sealed = sim_.encrypt_phone_number("wxA", "oPhoneUser", "13812345678");
    ASSERT_TRUE(sealed);
    auto info = decrypt_phone_number(session->session_key, sealed->encrypted_data, sealed->iv, "wxA");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->phone_number, "13812345678");
    EXPECT_EQ(info->pure_phone_number, "13812345678");
    EXPECT_EQ(info->country_code, "86");
    EXPECT_EQ(decrypt_phone_number(session->session_key, sealed->encrypted_data, sealed->iv, "wxB").error(),
              OpenDataErrc::decrypt_failed);

    // A new wx.login rotates the key: a payload sealed now no longer opens with the stored one.
    auto again = sim_.mint_login_code("wxA", "oPhoneUser");
    auto resealed = sim_.encrypt_phone_number("wxA", "oPhoneUser", "13812345678");
    EXPECT_EQ(decrypt_phone_number(session->session_key, resealed->encrypted_data, resealed->iv, "wxA").error(),
              OpenDataErrc::decrypt_failed);
    EXPECT_TRUE(decrypt_phone_number(again->session_key, resealed->encrypted_data, resealed->iv, "wxA"));
}

TEST_F(SimulatorTest, EncryptedPhoneCarriesCountryAndWatermarkOverrides) {
    auto minted = sim_.mint_login_code("", "oPhoneUser2");
    auto foreign = sim_.encrypt_phone_number("", "oPhoneUser2", "5551234567", "1");
    ASSERT_TRUE(foreign);
    auto info = decrypt_phone_number(minted->session_key, foreign->encrypted_data, foreign->iv, "wxA");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->phone_number, "+15551234567");
    EXPECT_EQ(info->country_code, "1");

    auto forged = sim_.encrypt_phone_number("wxA", "oPhoneUser2", "13812345678", "86", "wxEvil");
    ASSERT_TRUE(forged);
    EXPECT_FALSE(decrypt_phone_number(minted->session_key, forged->encrypted_data, forged->iv, "wxA"));
    auto opened = decrypt_open_data(minted->session_key, forged->encrypted_data, forged->iv, "wxEvil");
    ASSERT_TRUE(opened);
    EXPECT_EQ(opened->at("watermark").at("timestamp").as_int64(), kStart);
}

TEST_F(SimulatorTest, EncryptedPhoneNeedsAKnownUserAndAValidPhone) {
    (void)sim_.mint_login_code("wxA", "oKnown");
    EXPECT_FALSE(sim_.encrypt_phone_number("wxA", "oStranger", "13812345678"));
    EXPECT_FALSE(sim_.encrypt_phone_number("wxB", "oKnown", "13812345678"));  // users are per app
    EXPECT_FALSE(sim_.encrypt_phone_number("wxZ", "oKnown", "13812345678"));
    EXPECT_FALSE(sim_.encrypt_phone_number("wxA", "oKnown", "138-1234"));
    EXPECT_FALSE(sim_.encrypt_phone_number("wxA", "oKnown", "13812345678", "+86"));
    EXPECT_TRUE(sim_.encrypt_phone_number("wxA", "oKnown", "13812345678"));
}

// The HTTP face of the new control endpoints, called directly (no sockets).
class SimulatorControlTest : public SimulatorTest {
protected:
    sim::WeChatSimApi api_{sim_};

    static http::Request post(std::string target, std::string body) {
        http::Request req{http::verb::post, target, 11};
        req.set(http::bhttp::field::content_type, "application/json");
        req.body() = std::move(body);
        req.prepare_payload();
        return req;
    }
    template <class Handler>
    http::Response call(Handler handler, http::Request req) {
        http::RequestContext ctx;
        ctx.request_id = "test";
        return test::run_sync((api_.*handler)(req, ctx));
    }
};

TEST_F(SimulatorControlTest, EncryptedPhoneEndpoint) {
    auto minted = sim_.mint_login_code("wxA", "oHttpUser");
    auto res = call(&sim::WeChatSimApi::control_encrypted_phone,
                    post("/control/encrypted-phone", R"({"openid":"oHttpUser","phone":"13812345678"})"));
    ASSERT_EQ(res.result(), http::status::ok) << res.body();
    auto o = json::parse(res.body()).as_object();
    auto info = decrypt_phone_number(minted->session_key, text(o.at("encrypted_data")), text(o.at("iv")), "wxA");
    ASSERT_TRUE(info);
    EXPECT_EQ(info->pure_phone_number, "13812345678");

    auto unknown = call(&sim::WeChatSimApi::control_encrypted_phone,
                        post("/control/encrypted-phone", R"({"openid":"oNobody","phone":"13812345678"})"));
    EXPECT_EQ(unknown.result(), http::status::bad_request);
    auto missing = call(&sim::WeChatSimApi::control_encrypted_phone,
                        post("/control/encrypted-phone", R"({"phone":"13812345678"})"));
    EXPECT_EQ(missing.result(), http::status::bad_request);
}

TEST_F(SimulatorControlTest, RevokeAccessTokenEndpoint) {
    std::string const token = stable_token();
    auto res = call(&sim::WeChatSimApi::control_revoke_access_token, post("/control/revoke-access-token", ""));
    ASSERT_EQ(res.result(), http::status::ok) << res.body();
    EXPECT_EQ(json::parse(res.body()).at("revoked").to_number<std::int64_t>(), 1);
    auto code = sim_.mint_phone_code("wxA", "13800000000");
    EXPECT_EQ(phone_errcode(token, *code), errcode::invalid_credential);
    auto bad = call(&sim::WeChatSimApi::control_revoke_access_token,
                    post("/control/revoke-access-token", R"({"app_id":"wxZ"})"));
    EXPECT_EQ(bad.result(), http::status::bad_request);
}

}  // namespace
}  // namespace wx::wechat
