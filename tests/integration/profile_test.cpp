// PATCH /api/v1/users/me: the profile fields and their validation (API.md "Update profile").
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include "support/sessions.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

constexpr char const* kMe = "/api/v1/users/me";

class Profile : public ::testing::Test {
protected:
    void SetUp() override {
        init_test_process();
        HttpClient c = app_.client();
        pair_ = wechat_login(c);
        ASSERT_EQ(pair_.response.status, 200u) << pair_.response.body;
    }
    HttpResult patch(boost::json::object const& body) { return patch_raw(boost::json::serialize(body)); }
    HttpResult patch_raw(std::string const& body) {
        HttpClient c = app_.client();
        return c.request("PATCH", kMe, body, bearer(pair_.access));
    }
    // The single validation detail of a 400, as "field:reason".
    static std::string detail(HttpResult const& r) {
        EXPECT_EQ(r.status, 400u) << r.body;
        EXPECT_EQ(r.error_code(), "invalid_request");
        auto const& details = r.json.at("error").at("details").as_array();
        if (details.size() != 1) return "details: " + boost::json::serialize(details);
        return json_string(details[0], "field") + ":" + json_string(details[0], "reason");
    }

    TestApp app_;
    TokenPair pair_;
};

TEST_F(Profile, UpdatesNicknameAndAvatarAndGetSeesThem) {
    auto r = patch({{"nickname", "小明 🚀"}, {"avatar_url", "https://cdn.example.com/a.png?s=64"}});
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json_string(r.json, "nickname"), "小明 🚀");
    EXPECT_EQ(json_string(r.json, "avatar_url"), "https://cdn.example.com/a.png?s=64");
    EXPECT_EQ(r.header("Content-Type"), "application/json");

    HttpClient c = app_.client();
    auto me = c.get(kMe, bearer(pair_.access));
    EXPECT_EQ(json_string(me.json, "nickname"), "小明 🚀");
    EXPECT_EQ(json_string(me.json, "avatar_url"), "https://cdn.example.com/a.png?s=64");
}

TEST_F(Profile, AbsentFieldsAreLeftAloneAndEmptyStringsClear) {
    ASSERT_EQ(patch({{"nickname", "alice"}, {"avatar_url", "https://x.example/a"}}).status, 200u);
    auto only_nick = patch({{"nickname", "bob"}});
    EXPECT_EQ(json_string(only_nick.json, "avatar_url"), "https://x.example/a");
    auto null_avatar = patch({{"avatar_url", nullptr}});
    EXPECT_EQ(null_avatar.status, 200u);
    EXPECT_EQ(json_string(null_avatar.json, "avatar_url"), "https://x.example/a");
    auto cleared = patch({{"avatar_url", ""}, {"nickname", ""}});
    EXPECT_EQ(json_string(cleared.json, "avatar_url"), "");
    EXPECT_EQ(json_string(cleared.json, "nickname"), "");
    auto nothing = patch({});
    EXPECT_EQ(nothing.status, 200u);
    EXPECT_EQ(nothing.json.at("id").as_int64(), pair_.user_id);
}

TEST_F(Profile, NicknameLimitCountsCharactersNotBytes) {
    std::string sixty_four_cjk;
    for (int i = 0; i < 64; ++i) sixty_four_cjk += "字";
    EXPECT_EQ(patch({{"nickname", sixty_four_cjk}}).status, 200u);
    EXPECT_EQ(detail(patch({{"nickname", sixty_four_cjk + "字"}})), "nickname:too_long");
    EXPECT_EQ(detail(patch({{"nickname", std::string(65, 'a')}})), "nickname:too_long");
}

TEST_F(Profile, TheNeighboursOfRefusedControlsAreOrdinaryText) {
    for (std::string_view fine : {"a\u00a0b", "a\u007eb", "x\u2029y", "x\u202fy", "x\u2065y", "x\u206ay"}) {
        auto r = patch({{"nickname", fine}});
        EXPECT_EQ(r.status, 200u) << fine;
        EXPECT_EQ(json_string(r.json, "nickname"), fine);
    }
}

TEST_F(Profile, InvalidFieldsAreNamed) {
    EXPECT_EQ(detail(patch({{"nickname", 7}})), "nickname:not_a_string");
    EXPECT_EQ(detail(patch({{"nickname", "tab\there"}})), "nickname:invalid_characters");
    // C1 controls and the bidirectional overrides/isolates (U+202A-U+202E, U+2066-U+2069), at
    // both ends of each range; their neighbours are ordinary text.
    for (std::string_view bad :
         {"a\u0080b", "a\u009fb", "admin\u202a", "\u202eimda", "x\u2066y", "x\u2069y", "\u202cx", "\u2067"})
        EXPECT_EQ(detail(patch({{"nickname", bad}})), "nickname:invalid_characters") << bad;
    EXPECT_EQ(detail(patch({{"avatar_url", "http://cdn.example.com/a.png"}})), "avatar_url:not_https_url");
    EXPECT_EQ(detail(patch({{"avatar_url", "javascript:alert(1)"}})), "avatar_url:not_https_url");
    EXPECT_EQ(detail(patch({{"avatar_url", "https://"}})), "avatar_url:not_https_url");
    EXPECT_EQ(detail(patch({{"avatar_url", "https://user@evil.example/a"}})), "avatar_url:not_https_url");
    EXPECT_EQ(detail(patch({{"avatar_url", "/relative.png"}})), "avatar_url:not_https_url");
    EXPECT_EQ(detail(patch({{"avatar_url", "https://cdn.example.com/a b.png"}})), "avatar_url:not_https_url");
    std::string long_url = "https://cdn.example.com/";  // appended: GCC 12 -O3 warns falsely about "literal" + string
    long_url.append(1001, 'a');
    EXPECT_EQ(detail(patch({{"avatar_url", long_url}})), "avatar_url:too_long");
    EXPECT_EQ(patch({{"avatar_url", long_url.substr(0, 1024)}}).status, 200u);
    EXPECT_EQ(patch_raw("[1]").status, 400u);
    EXPECT_EQ(patch_raw("{").status, 400u);

    // A rejected request changed nothing.
    HttpClient c = app_.client();
    auto me = c.get(kMe, bearer(pair_.access));
    EXPECT_EQ(json_string(me.json, "nickname"), "");
}

TEST_F(Profile, NeedsAValidToken) {
    HttpClient c = app_.client();
    auto r = c.request("PATCH", kMe, R"({"nickname":"x"})");
    EXPECT_EQ(r.status, 401u);
    EXPECT_EQ(r.error_code(), "unauthorized");
    auto revoked = c.post("/api/v1/auth/logout", "", bearer(pair_.access));
    ASSERT_EQ(revoked.status, 204u);
    EXPECT_EQ(patch({{"nickname", "x"}}).error_code(), "token_revoked");
}

}  // namespace
}  // namespace wx::test
