// POST /api/v1/users/me/phone: by phone code (getuserphonenumber with the cached access token)
// and by the legacy encrypted_data + iv under the stored session_key.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <latch>
#include <thread>
#include <vector>

#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr char const* kPhone = "/api/v1/users/me/phone";
constexpr char const* kSim = "/wechat-sim/control";

class Phone : public ::testing::Test {
protected:
    void SetUp() override {
        init_test_process();
        HttpClient c = app_.client();
        user_ = wechat_login(c, "o_phone_owner");
        ASSERT_EQ(user_.response.status, 200u) << user_.response.body;
    }
    HttpResult sim(std::string const& path, boost::json::object const& body = {}) {
        HttpClient c = app_.client();
        return c.post(std::string{kSim} + path, boost::json::serialize(body));
    }
    std::string phone_code(std::string const& phone) {
        return json_string(sim("/phone-code", {{"phone", phone}}).json, "code");
    }
    std::int64_t stable_token_calls() {
        HttpClient c = app_.client();
        auto r = c.get(std::string{kSim} + "/stats");
        auto const* n = r.json.at("calls").as_object().if_contains("stable_token");
        return n ? n->as_int64() : 0;
    }
    HttpResult set_phone(boost::json::object const& body, std::string const& access = "") {
        HttpClient c = app_.client();
        return c.post(kPhone, boost::json::serialize(body), bearer(access.empty() ? user_.access : access));
    }
    // Sends `kClients` phone-code requests at once; returns their statuses.
    std::vector<unsigned> concurrent_phone_requests(int clients) {
        std::vector<std::string> codes;
        for (int i = 0; i < clients; ++i) codes.push_back(phone_code("1380013800" + std::to_string(i % 10)));
        std::vector<unsigned> statuses(clients);
        std::latch go{clients};
        std::vector<std::thread> threads;
        for (int i = 0; i < clients; ++i) {
            threads.emplace_back([&, i] {
                HttpClient c = app_.client();
                go.arrive_and_wait();
                auto r = c.post(kPhone, boost::json::serialize(boost::json::object{{"code", codes[i]}}),
                                bearer(user_.access));
                statuses[i] = r.status;
            });
        }
        for (auto& t : threads) t.join();
        return statuses;
    }

    TestApp app_;
    TokenPair user_;
};

TEST_F(Phone, ByCodeSetsThePhoneAndCachesTheAccessToken) {
    auto r = set_phone({{"code", phone_code("13800138000")}});
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json_string(r.json, "phone"), "13800138000");
    EXPECT_EQ(stable_token_calls(), 1);

    auto again = set_phone({{"code", phone_code("13900139000")}});
    ASSERT_EQ(again.status, 200u) << again.body;
    EXPECT_EQ(json_string(again.json, "phone"), "13900139000");
    EXPECT_EQ(stable_token_calls(), 1);  // cached

    HttpClient c = app_.client();
    auto me = c.get("/api/v1/users/me", bearer(user_.access));
    EXPECT_EQ(json_string(me.json, "phone"), "13900139000");
}

TEST_F(Phone, ConcurrentRequestsWithNoTokenFetchOnce) {
    EXPECT_EQ(concurrent_phone_requests(8), std::vector<unsigned>(8, 200u));
    EXPECT_EQ(stable_token_calls(), 1);
}

TEST_F(Phone, ConcurrentRequestsWithAnExpiredTokenFetchOnce) {
    ASSERT_EQ(set_phone({{"code", phone_code("13800138000")}}).status, 200u);
    ASSERT_EQ(stable_token_calls(), 1);
    ASSERT_EQ(sim("/expire-access-token").status, 200u);  // WeChat now answers 42001 for it

    EXPECT_EQ(concurrent_phone_requests(8), std::vector<unsigned>(8, 200u));
    EXPECT_EQ(stable_token_calls(), 2);  // exactly one fetch replaced the expired token
}

TEST_F(Phone, ARevokedTokenIsReplacedAndTheRequestRetriedOnce) {
    ASSERT_EQ(set_phone({{"code", phone_code("13800138000")}}).status, 200u);
    ASSERT_EQ(sim("/revoke-access-token").status, 200u);  // 40001 for the cached token
    auto r = set_phone({{"code", phone_code("13700137000")}});
    EXPECT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(stable_token_calls(), 2);
}

TEST_F(Phone, AnInvalidPhoneCodeIsAWeChatError) {
    auto r = set_phone({{"code", "never-minted"}});
    // WeChat answers 40029 for a code it never issued; mapped as in login (API.md).
    EXPECT_EQ(r.status, 401u) << r.body;
    EXPECT_EQ(r.error_code(), "wechat_code_invalid") << r.body;
    EXPECT_EQ(r.json.at("error").at("wechat_errcode"), 40029) << r.body;
}

TEST_F(Phone, ByEncryptedDataWithTheStoredSessionKey) {
    auto sealed = sim("/encrypted-phone", {{"openid", "o_phone_owner"}, {"phone", "13512345678"}});
    ASSERT_EQ(sealed.status, 200u) << sealed.body;
    auto r = set_phone(
        {{"encrypted_data", json_string(sealed.json, "encrypted_data")}, {"iv", json_string(sealed.json, "iv")}});
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json_string(r.json, "phone"), "13512345678");
    EXPECT_EQ(stable_token_calls(), 0);  // the legacy path needs no access token
}

TEST_F(Phone, AForeignWatermarkOrGarbageDoesNotDecrypt) {
    auto foreign =
        sim("/encrypted-phone",
            {{"openid", "o_phone_owner"}, {"phone", "13512345678"}, {"watermark_app_id", "wxsomeoneelse00"}});
    ASSERT_EQ(foreign.status, 200u) << foreign.body;
    auto r = set_phone(
        {{"encrypted_data", json_string(foreign.json, "encrypted_data")}, {"iv", json_string(foreign.json, "iv")}});
    EXPECT_EQ(r.status, 400u);
    EXPECT_EQ(r.error_code(), "wechat_decrypt_failed");

    for (auto const& [data, iv] :
         std::vector<std::pair<std::string, std::string>>{{"garbage", "garbage"},
                                                          {"AAAAAAAAAAAAAAAAAAAAAA==", "AAAAAAAAAAAAAAAAAAAAAA=="},
                                                          {json_string(foreign.json, "encrypted_data"), "AAAA"}}) {
        auto bad = set_phone({{"encrypted_data", data}, {"iv", iv}});
        EXPECT_EQ(bad.status, 400u) << data;
        EXPECT_EQ(bad.error_code(), "wechat_decrypt_failed");
    }
    // A session key from an older login does not decrypt data sealed for a newer one.
    auto old_sealed = sim("/encrypted-phone", {{"openid", "o_phone_owner"}, {"phone", "13512345678"}});
    HttpClient c = app_.client();
    (void)wechat_login(c, "o_phone_owner");  // a new login replaces the stored session_key
    auto stale = set_phone({{"encrypted_data", json_string(old_sealed.json, "encrypted_data")},
                            {"iv", json_string(old_sealed.json, "iv")}});
    EXPECT_EQ(stale.error_code(), "wechat_decrypt_failed");
}

TEST_F(Phone, AnAccountWithoutWeChatHasNoSessionKey) {
    HttpClient c = app_.client();
    auto reg = c.post("/api/v1/auth/register", R"({"username":"no_wechat","password":"long enough pw"})");
    ASSERT_EQ(reg.status, 201u) << reg.body;
    auto r = set_phone({{"encrypted_data", "AAAAAAAAAAAAAAAAAAAAAA=="}, {"iv", "AAAAAAAAAAAAAAAAAAAAAA=="}},
                       json_string(reg.json, "access_token"));
    EXPECT_EQ(r.status, 409u) << r.body;
    EXPECT_EQ(r.error_code(), "wechat_session_missing");
}

TEST_F(Phone, ExactlyOneFormIsAccepted) {
    EXPECT_EQ(set_phone({}).status, 400u);
    EXPECT_EQ(set_phone({{"code", "abc"}, {"encrypted_data", "x"}, {"iv", "y"}}).status, 400u);
    EXPECT_EQ(set_phone({{"encrypted_data", "x"}}).status, 400u);
    EXPECT_EQ(set_phone({{"iv", "y"}}).status, 400u);
    EXPECT_EQ(set_phone({{"code", 5}}).status, 400u);
    EXPECT_EQ(set_phone({{"code", "abc"}, {"app_id", "wxunknown"}}).status, 400u);
    EXPECT_EQ(stable_token_calls(), 0);
    HttpClient c = app_.client();
    EXPECT_EQ(c.post(kPhone, R"({"code":"abc"})").status, 401u);
}

}  // namespace
}  // namespace wx::test
