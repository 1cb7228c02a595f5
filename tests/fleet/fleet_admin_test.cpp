// Administration across instances (API.md "Administration", "Revocation across instances"): the
// first admin made with `wxlogin admin set-role` while the fleet runs, a disable on A refused on B
// within 1 s, a deletion on A refused on B — with Redis and without it.
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <string>

#include "support/fleet.hpp"
#include "support/process.hpp"
#include "support/sessions.hpp"
#include "support/test_app.hpp"
#include "support/wait.hpp"

namespace wx::test {
namespace {

using namespace std::chrono_literals;
using Steady = std::chrono::steady_clock;

constexpr char const* kMe = "/api/v1/users/me";
constexpr auto kPropagationBound = 1000ms;

struct Account {
    std::int64_t id = 0;
    std::string access;
};

Account register_and_login(HttpClient& c, std::string const& name) {
    std::string const body =
        boost::json::serialize(boost::json::object{{"username", name}, {"password", name + "'s password"}});
    auto reg = c.post("/api/v1/auth/register", body);
    EXPECT_EQ(reg.status, 201u) << reg.body;
    return {reg.json.at("user").at("id").as_int64(), json_string(reg.json, "access_token")};
}

TokenPair fleet_login(Fleet& fleet, HttpClient& c, std::string const& openid) {
    TokenPair p;
    p.response = fleet.wechat_login(c, openid);
    EXPECT_EQ(p.response.status, 200u) << p.response.body;
    p.access = json_string(p.response.json, "access_token");
    p.refresh = json_string(p.response.json, "refresh_token");
    p.user_id = p.response.json.at("user").at("id").as_int64();
    return p;
}

// `wxlogin admin set-role` against the fleet's database while it serves; its exit status.
int set_role(Fleet& fleet, std::int64_t user, std::string const& role) {
    Process p{WX_BINARY,
              {"admin", "set-role", "--user", std::to_string(user), "--role", role},
              {{"WXLOGIN_DATABASE_URL", fleet.database().url()}}};
    auto code = p.wait_exit(std::chrono::seconds(30));
    EXPECT_TRUE(code.has_value()) << p.stderr_text();
    return code.value_or(-1);
}

class FleetAdmin : public ::testing::TestWithParam<bool> {
protected:
    void SetUp() override { init_test_process(); }
};

TEST_P(FleetAdmin, ADisableOrADeletionOnAIsRefusedOnBWithinASecond) {
    Fleet fleet{FleetOptions{.redis = GetParam(), .env = {{"WXLOGIN_PASSWORD_MEMLIMIT_KIB", "19456"}}}};
    HttpClient a = fleet.client(0);
    HttpClient b = fleet.client(1);
    Account root = register_and_login(a, "fleet_root");
    EXPECT_EQ(set_role(fleet, 999999, "admin"), 1) << "an unknown user";
    ASSERT_EQ(set_role(fleet, root.id, "admin"), 0);
    std::string const root_path = "/api/v1/admin/users/" + std::to_string(root.id);
    ASSERT_TRUE(wait_until("both instances see the new admin", [&] {
        return a.get(root_path, bearer(root.access)).status == 200u &&
               b.get(root_path, bearer(root.access)).status == 200u;
    }));

    for (std::string const action : {"disable", "delete"}) {
        auto victim = fleet_login(fleet, b, "o_fleet_" + action);  // logged in, and cached, on B
        ASSERT_EQ(b.get(kMe, bearer(victim.access)).status, 200u);
        std::string const path = "/api/v1/admin/users/" + std::to_string(victim.user_id);
        auto answered = action == "disable" ? a.post(path + "/disable", "", bearer(root.access))
                                            : a.request("DELETE", path, "", bearer(root.access));
        ASSERT_LT(answered.status, 300u) << answered.body;
        auto const done = Steady::now();
        ASSERT_TRUE(wait_until(action + " on A refused on B",
                               [&] { return b.get(kMe, bearer(victim.access)).error_code() == "token_revoked"; }));
        auto const took = Steady::now() - done;
        EXPECT_LT(took, kPropagationBound) << action;
        EXPECT_EQ(refresh(b, victim.refresh).response.error_code(), "refresh_token_invalid") << action;
        auto again = fleet.wechat_login(b, "o_fleet_" + action);
        if (action == "disable") {
            EXPECT_EQ(again.status, 403u) << again.body;
            EXPECT_EQ(again.error_code(), "account_disabled");
        } else {
            EXPECT_EQ(again.status, 200u) << again.body;
            EXPECT_TRUE(again.json.at("new_user").as_bool()) << "a deleted identity logs in as a new user";
        }
    }

    // A demotion on the command line holds on both instances within a second too.
    ASSERT_EQ(set_role(fleet, root.id, "user"), 0);
    ASSERT_TRUE(wait_until("both instances see the demotion", [&] {
        return a.get(root_path, bearer(root.access)).error_code() == "forbidden" &&
               b.get(root_path, bearer(root.access)).error_code() == "forbidden";
    }));
}

INSTANTIATE_TEST_SUITE_P(RedisOrNot, FleetAdmin, ::testing::Values(true, false), [](auto const& param_info) {
    return param_info.param ? std::string{"WithRedis"} : std::string{"DatabaseOnly"};
});

}  // namespace
}  // namespace wx::test
