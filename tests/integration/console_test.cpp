// The console's serving against the real App (README "Console"): the page and its content-hashed
// assets come from the binary with the security headers and cache policy, unknown names answer
// API.md's 404, and with WXLOGIN_CONSOLE=off /console/ is an unknown path like any other.
#include <gtest/gtest.h>

#include <regex>
#include <set>
#include <string>

#include "app/console_assets.hpp"
#include "support/http_client.hpp"
#include "support/test_app.hpp"

namespace wx::test {
namespace {

void expect_console_headers(HttpResult const& res, std::string const& what) {
    std::string const csp = res.header("Content-Security-Policy");
    EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << what << ": " << csp;
    EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << what << ": " << csp;
    EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos) << what << ": " << csp;
    EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos) << what << ": " << csp;
    EXPECT_EQ(res.header("X-Content-Type-Options"), "nosniff") << what;
    EXPECT_EQ(res.header("Referrer-Policy"), "no-referrer") << what;
}

// The hashed asset names index.html refers to, e.g. "app.3f2a1c9d0b.js".
std::set<std::string> referenced_assets(std::string const& page) {
    std::set<std::string> names;
    std::regex const ref{R"re((?:src|href)="([a-z]+\.[0-9a-f]{10}\.(?:js|css|svg))")re"};
    for (std::sregex_iterator it{page.begin(), page.end(), ref}, end; it != end; ++it) names.insert((*it)[1].str());
    return names;
}

TEST(Console, ThePageIsServedWithItsSecurityHeadersAndNoStore) {
    TestApp app;  // as serve --dev: the console is on
    HttpClient client{app.port()};
    auto res = client.get("/console/");
    ASSERT_EQ(res.status, 200u) << res.transport_error;
    EXPECT_EQ(res.header("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(res.header("Cache-Control"), "no-store");
    expect_console_headers(res, "/console/");
    EXPECT_TRUE(res.has_header("X-Request-Id"));
    EXPECT_EQ(res.body.find("<style"), std::string::npos);
    EXPECT_EQ(res.body.find(" style="), std::string::npos);
    EXPECT_FALSE(std::regex_search(res.body, std::regex{R"(<script(?![^>]*\bsrc=)[^>]*>)"})) << "an inline script";
}

TEST(Console, EveryReferencedAssetIsHashedImmutableAndEmbedded) {
    TestApp app;
    HttpClient client{app.port()};
    auto page = client.get("/console/");
    ASSERT_EQ(page.status, 200u) << page.transport_error;
    auto names = referenced_assets(page.body);
    ASSERT_EQ(names.size(), 3u) << page.body.substr(0, 800);  // app.js, style.css, icon.svg
    for (auto const& name : names) {
        auto res = client.get("/console/" + name);
        ASSERT_EQ(res.status, 200u) << name;
        EXPECT_EQ(res.header("Cache-Control"), "public, max-age=31536000, immutable") << name;
        expect_console_headers(res, name);
        EXPECT_FALSE(res.body.empty()) << name;
        ASSERT_NE(app::find_console_asset(name), nullptr) << name;
        EXPECT_EQ(res.body, app::find_console_asset(name)->body) << name;
    }
    // Exactly the embedded files: the page and what it refers to.
    EXPECT_EQ(app::console_assets().size(), names.size() + 1);
}

TEST(Console, UnknownNamesAnswerTheApi404) {
    TestApp app;
    HttpClient client{app.port()};
    for (std::string target : {"/console/app.js", "/console/nothing.0123456789.js", "/console/index.htm",
                               "/console/a/b", "/console/..%2F"}) {
        auto res = client.get(target);
        EXPECT_EQ(res.status, 404u) << target;
        EXPECT_EQ(res.error_code(), "not_found") << target << ": " << res.body;
        EXPECT_EQ(res.envelope_request_id(), res.header("X-Request-Id")) << target;
        EXPECT_EQ(res.header("Cache-Control"), "no-store") << target;
    }
    auto post = client.post("/console/", "{}", {{"Content-Type", "application/json"}});
    EXPECT_EQ(post.status, 405u);
    EXPECT_EQ(post.header("Allow"), "GET");
}

TEST(Console, TheBarePathRedirectsToTheSlash) {
    TestApp app;
    HttpClient client{app.port()};
    auto res = client.get("/console");
    EXPECT_EQ(res.status, 308u);
    EXPECT_EQ(res.header("Location"), "/console/");
}

TEST(Console, TurnedOffItIsAnUnknownPath) {
    TestApp app{{{"WXLOGIN_CONSOLE", "off"}}};
    ASSERT_FALSE(app.config().console);
    HttpClient client{app.port()};
    for (std::string target : {"/console/", "/console", "/console/index.html"}) {
        auto res = client.get(target);
        EXPECT_EQ(res.status, 404u) << target;
        EXPECT_EQ(res.error_code(), "not_found") << target;
        EXPECT_FALSE(res.has_header("Content-Security-Policy")) << target;
    }
    EXPECT_EQ(client.get("/healthz").status, 200u);
}

}  // namespace
}  // namespace wx::test
