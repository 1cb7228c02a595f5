// The audit log (README "Audit log"): one line per security event, in both log formats, with the
// masked client address and the request id, never a secret; and a counter per event in /metrics.
// Through the built binary, so the lines are the ones an operator's log shipper reads.
#include <gtest/gtest.h>

#include <csignal>
#include <sstream>
#include <string>

#include "support/process.hpp"
#include "support/sessions.hpp"
#include "support/temp_dir.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

struct EventRun {
    std::string log;
    std::string metrics;
    std::string password = "Tr0ub4dor&3-audit-pw";
    std::string refresh;
};

// Registers, fails a login, logs in, logs out, reuses a refresh token; then stops the server.
EventRun security_events(std::string const& format) {
    TempDir dir{"wxlogin-audit"};
    std::uint16_t port = free_port();
    Process p{WX_BINARY,
              {"serve", "--dev"},
              {{"WXLOGIN_LISTEN", "127.0.0.1:" + std::to_string(port)},
               {"WXLOGIN_DATABASE_URL", "sqlite://" + (dir.path() / "x.db").string()},
               {"WXLOGIN_PASSWORD_MEMLIMIT_KIB", "19456"},
               {"WXLOGIN_LOG_FORMAT", format}}};
    EventRun run;
    EXPECT_TRUE(p.wait_listening(port, std::chrono::seconds(10))) << p.stderr_text();
    HttpClient c{port};
    auto reg = c.post("/api/v1/auth/register", R"({"username":"auditee","password":")" + run.password + R"("})");
    EXPECT_EQ(reg.status, 201u) << reg.body;
    EXPECT_EQ(c.post("/api/v1/auth/login", R"({"username":"auditee","password":"not the password"})").status, 401u);
    auto login = c.post("/api/v1/auth/login", R"({"username":"auditee","password":")" + run.password + R"("})");
    EXPECT_EQ(login.status, 200u) << login.body;
    EXPECT_EQ(c.post("/api/v1/auth/logout", "", bearer(json_string(login.json, "access_token"))).status, 204u);
    auto wechat = wechat_login(c, "o_audited");
    run.refresh = wechat.refresh;
    EXPECT_EQ(refresh(c, wechat.refresh).response.status, 200u);
    EXPECT_EQ(refresh(c, wechat.refresh).response.error_code(), "refresh_token_reused");
    run.metrics = c.get("/metrics").body;
    p.signal(SIGTERM);
    EXPECT_EQ(p.wait_exit(std::chrono::seconds(10)), 0);
    run.log = p.stderr_text();
    return run;
}

void expect_counted(std::string const& metrics, std::string const& event, int n) {
    std::string const line = "wxlogin_audit_events_total{event=\"" + event + "\"} " + std::to_string(n) + "\n";
    EXPECT_NE(metrics.find(line), std::string::npos) << line;
}

TEST(AuditLog, OneJsonLinePerSecurityEventWithTheMaskedClientAndACounter) {
    init_test_process();
    EventRun run = security_events("json");
    for (std::string const type : {"login_succeeded", "login_failed", "logout", "refresh_reuse_detected"})
        EXPECT_NE(run.log.find(R"("event":"audit","type":")" + type + "\""), std::string::npos) << type;
    EXPECT_NE(run.log.find(R"("reason":"wrong_password")"), std::string::npos);
    EXPECT_NE(run.log.find(R"("client":"127.0.0.x")"), std::string::npos) << "the address is masked";
    std::istringstream lines{run.log};
    int audit_lines = 0;
    for (std::string line; std::getline(lines, line);) {
        if (line.find(R"("event":"audit")") == std::string::npos) continue;
        ++audit_lines;
        EXPECT_EQ(line.find("127.0.0.1"), std::string::npos) << "never the whole address: " << line;
    }
    EXPECT_EQ(audit_lines, 6);  // 3 logins, a failed one, a logout, a reuse
    EXPECT_EQ(run.log.find(run.password), std::string::npos);
    EXPECT_EQ(run.log.find(run.refresh), std::string::npos);
    expect_counted(run.metrics, "login_succeeded", 3);  // registration, password login, WeChat login
    expect_counted(run.metrics, "login_failed", 1);
    expect_counted(run.metrics, "logout", 1);
    expect_counted(run.metrics, "refresh_reuse_detected", 1);
    expect_counted(run.metrics, "admin_delete", 0);
}

TEST(AuditLog, TheTextFormatCarriesTheSameFields) {
    init_test_process();
    EventRun run = security_events("text");
    EXPECT_NE(run.log.find(" audit type=login_failed target=1 method=password reason=wrong_password request_id="),
              std::string::npos)
        << run.log.substr(0, 2000);
    EXPECT_NE(run.log.find(" audit type=logout actor=1 target=1 session="), std::string::npos);
    EXPECT_NE(run.log.find("client=127.0.0.x"), std::string::npos);
    EXPECT_EQ(run.log.find(run.password), std::string::npos);
}

}  // namespace
}  // namespace wx::test
