// Passwords, password hashes, e-mail addresses, phone numbers and tokens appear in no log line,
// even at debug level, on every path that handles them (the built binary, JSON log format).
#include <gtest/gtest.h>

#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <csignal>

#include "support/process.hpp"
#include "support/sessions.hpp"
#include "support/temp_dir.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

TEST(PersonalData, NeverReachesTheLog) {
    init_test_process();
    TempDir dir{"wxlogin-personal"};
    std::uint16_t port = free_port();
    Process p{WX_BINARY,
              {"serve", "--dev"},
              {{"WXLOGIN_LISTEN", "127.0.0.1:" + std::to_string(port)},
               {"WXLOGIN_DATABASE_URL", "sqlite://" + (dir.path() / "x.db").string()},
               {"WXLOGIN_PASSWORD_MEMLIMIT_KIB", "19456"},
               {"WXLOGIN_LOG_LEVEL", "debug"},
               {"WXLOGIN_LOG_FORMAT", "json"}}};
    ASSERT_TRUE(p.wait_listening(port, std::chrono::seconds(10))) << p.stderr_text();
    HttpClient c{port};

    std::string const password = "Tr0ub4dor&3-unique-pw";
    std::string const email = "erin.private@example.com";
    std::string const phone = "13987654321";
    auto reg = c.post("/api/v1/auth/register", boost::json::serialize(boost::json::object{
                                                   {"username", "erin"}, {"password", password}, {"email", email}}));
    ASSERT_EQ(reg.status, 201u) << reg.body;
    EXPECT_EQ(c.post("/api/v1/auth/login", R"({"username":"erin","password":"wrong-password"})").status, 401u);
    auto login = c.post("/api/v1/auth/login",
                        boost::json::serialize(boost::json::object{{"username", email}, {"password", password}}));
    ASSERT_EQ(login.status, 200u) << login.body;

    auto wechat = wechat_login(c, "o_private");
    auto code = c.post("/wechat-sim/control/phone-code", R"({"phone":")" + phone + R"("})");
    auto set = c.post("/api/v1/users/me/phone",
                      boost::json::serialize(boost::json::object{{"code", json_string(code.json, "code")}}),
                      bearer(wechat.access));
    ASSERT_EQ(set.status, 200u) << set.body;
    auto rotated = refresh(c, wechat.refresh);
    ASSERT_EQ(rotated.response.status, 200u);
    EXPECT_EQ(refresh(c, wechat.refresh).response.error_code(), "refresh_token_reused");

    p.signal(SIGTERM);
    ASSERT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
    std::string log = p.stderr_text();
    EXPECT_NE(log.find("\"event\":\"request\""), std::string::npos);  // the log is really there
    for (std::string const& secret : {password, std::string{"wrong-password"}, email, phone, std::string{"$argon2id"},
                                      json_string(login.json, "access_token"), json_string(login.json, "refresh_token"),
                                      wechat.access, wechat.refresh, rotated.refresh})
        EXPECT_EQ(log.find(secret), std::string::npos) << secret;
}

}  // namespace
}  // namespace wx::test
