// Prometheus text exposition of the HTTP metrics, counters and gauges.
#include "obs/metrics.hpp"

#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

namespace wx::obs {
namespace {

std::vector<std::string> lines_of(std::string const& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
}

bool has_line(std::string const& text, std::string const& line) {
    for (auto const& l : lines_of(text))
        if (l == line) return true;
    return false;
}

// The value of every line starting with `prefix`, in order.
std::vector<double> values_with_prefix(std::string const& text, std::string const& prefix) {
    std::vector<double> out;
    for (auto const& l : lines_of(text))
        if (l.rfind(prefix, 0) == 0) out.push_back(std::stod(l.substr(l.rfind(' ') + 1)));
    return out;
}

std::string render(Collector const& c) {
    std::string out;
    c.write(out);
    return out;
}

TEST(HttpMetrics, CounterLinesCarryRouteMethodAndStatusClass) {
    HttpMetrics m;
    auto healthz = m.add_route("/healthz");
    auto login = m.add_route("/api/v1/auth/wechat/login");
    m.record(healthz, "GET", 200, 0.001);
    m.record(healthz, "GET", 204, 0.002);
    m.record(login, "POST", 401, 0.02);
    m.record(login, "POST", 502, 0.3);
    m.record(login, "OPTIONS", 405, 0.0001);

    std::string text = render(m);
    EXPECT_TRUE(has_line(text, "# TYPE wxlogin_http_requests_total counter")) << text;
    EXPECT_TRUE(has_line(text, R"(wxlogin_http_requests_total{route="/healthz",method="GET",status="2xx"} 2)")) << text;
    EXPECT_TRUE(has_line(
        text, R"(wxlogin_http_requests_total{route="/api/v1/auth/wechat/login",method="POST",status="4xx"} 1)"))
        << text;
    EXPECT_TRUE(has_line(
        text, R"(wxlogin_http_requests_total{route="/api/v1/auth/wechat/login",method="POST",status="5xx"} 1)"))
        << text;
    EXPECT_TRUE(has_line(
        text, R"(wxlogin_http_requests_total{route="/api/v1/auth/wechat/login",method="OTHER",status="4xx"} 1)"))
        << text;
    // Series that never saw a request are not written.
    EXPECT_EQ(text.find(R"(route="/healthz",method="POST")"), std::string::npos);
    EXPECT_EQ(m.requests(healthz, "GET", 200), 2u);
    EXPECT_EQ(m.requests(login, "POST", 401), 1u);
    EXPECT_EQ(m.requests(login, "GET", 200), 0u);
}

TEST(HttpMetrics, HistogramHasCumulativeBucketsSumAndCount) {
    HttpMetrics m;
    auto r = m.add_route("/healthz");
    m.record(r, "GET", 200, 0.0004);  // le 0.0005
    m.record(r, "GET", 200, 0.003);   // le 0.005
    m.record(r, "GET", 200, 0.003);
    m.record(r, "GET", 200, 0.2);   // le 0.25
    m.record(r, "GET", 200, 30.0);  // beyond the last bucket: only +Inf

    std::string text = render(m);
    std::string const labels = R"(route="/healthz",method="GET",status="2xx")";
    std::string const name = "wxlogin_http_request_duration_seconds";
    EXPECT_TRUE(has_line(text, "# TYPE " + name + " histogram")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{" + labels + R"(,le="0.0005"} 1)")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{" + labels + R"(,le="0.001"} 1)")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{" + labels + R"(,le="0.005"} 3)")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{" + labels + R"(,le="0.25"} 4)")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{" + labels + R"(,le="10"} 4)")) << text;
    EXPECT_TRUE(has_line(text, name + "_bucket{" + labels + R"(,le="+Inf"} 5)")) << text;
    EXPECT_TRUE(has_line(text, name + "_count{" + labels + "} 5")) << text;

    auto buckets = values_with_prefix(text, name + "_bucket{" + labels);
    ASSERT_EQ(buckets.size(), kLatencyBuckets.size() + 1);
    for (std::size_t i = 1; i < buckets.size(); ++i) EXPECT_LE(buckets[i - 1], buckets[i]) << "bucket " << i;

    auto sum = values_with_prefix(text, name + "_sum{" + labels + "}");
    ASSERT_EQ(sum.size(), 1u);
    EXPECT_NEAR(sum[0], 0.0004 + 0.003 + 0.003 + 0.2 + 30.0, 1e-5);
}

TEST(HttpMetrics, AddRouteIsIdempotent) {
    HttpMetrics m;
    auto a = m.add_route("/a");
    auto b = m.add_route("/b");
    EXPECT_NE(a, b);
    EXPECT_EQ(m.add_route("/a"), a);
}

TEST(HttpMetrics, RecordIgnoresUnknownRoutesAndOddStatuses) {
    HttpMetrics m;
    auto r = m.add_route("/a");
    m.record(r + 10, "GET", 200, 0.001);  // no such route: ignored, no crash
    m.record(r, "GET", 99, 0.001);        // outside 1xx..5xx: counted in the last class
    m.record(r, "GET", 600, 0.001);
    EXPECT_EQ(m.requests(r, "GET", 200), 0u);
    EXPECT_EQ(m.requests(r + 10, "GET", 200), 0u);
    EXPECT_EQ(m.requests(r, "GET", 500), 2u);  // 99 and 600, and nothing else
    EXPECT_TRUE(has_line(render(m), R"(wxlogin_http_requests_total{route="/a",method="GET",status="5xx"} 2)"))
        << render(m);
}

TEST(HttpMetrics, RequestsWithOutOfRangeStatusDoesNotReadOutOfBounds) {
    HttpMetrics m;
    auto r = m.add_route("/a");
    m.record(r, "GET", 600, 0.001);
    // record() clamps a status outside 100..599 into the last class; requests() must agree
    // instead of indexing past its array.
    EXPECT_EQ(m.requests(r, "GET", 600), m.requests(r, "GET", 500));
    EXPECT_EQ(m.requests(r, "GET", 0), m.requests(r, "GET", 500));
}

TEST(HttpMetrics, LabelValuesAreEscaped) {
    HttpMetrics m;
    auto r = m.add_route("/we\"ird\\path");
    m.record(r, "GET", 200, 0.001);
    std::string text = render(m);
    EXPECT_NE(text.find(R"(route="/we\"ird\\path")"), std::string::npos) << text;
}

TEST(CounterFamily, WritesOneLinePerLabelSet) {
    CounterFamily f{"wxlogin_wechat_calls_total", "WeChat calls.", {"api", "outcome"}};
    f.with({"jscode2session", "ok"}).add(3);
    f.with({"jscode2session", "error"}).add();
    f.with({"jscode2session", "ok"}).add();  // same series
    std::string text = render(f);
    EXPECT_TRUE(has_line(text, "# HELP wxlogin_wechat_calls_total WeChat calls.")) << text;
    EXPECT_TRUE(has_line(text, "# TYPE wxlogin_wechat_calls_total counter")) << text;
    EXPECT_TRUE(has_line(text, R"(wxlogin_wechat_calls_total{api="jscode2session",outcome="ok"} 4)")) << text;
    EXPECT_TRUE(has_line(text, R"(wxlogin_wechat_calls_total{api="jscode2session",outcome="error"} 1)")) << text;
}

TEST(CallbackMetric, ReadsItsValueAtScrapeTime) {
    double value = 1;
    CallbackMetric g{"wxlogin_http_connections", "Live client connections.", CallbackMetric::Type::gauge};
    g.sample([&value] { return value; });
    value = 7;
    std::string text = render(g);
    EXPECT_TRUE(has_line(text, "# TYPE wxlogin_http_connections gauge")) << text;
    EXPECT_TRUE(has_line(text, "wxlogin_http_connections 7")) << text;
}

TEST(CallbackMetric, OneSamplePerLabelValueAndCounterType) {
    CallbackMetric c{"wxlogin_lookups_total", "Lookups.", CallbackMetric::Type::counter, "result"};
    c.sample("hit", [] { return 5.0; }).sample("miss", [] { return 2.0; });
    std::string text = render(c);
    EXPECT_TRUE(has_line(text, "# TYPE wxlogin_lookups_total counter")) << text;
    EXPECT_TRUE(has_line(text, R"(wxlogin_lookups_total{result="hit"} 5)")) << text;
    EXPECT_TRUE(has_line(text, R"(wxlogin_lookups_total{result="miss"} 2)")) << text;
}

TEST(HistogramFamily, OneHistogramPerLabelSet) {
    HistogramFamily h{"wxlogin_wechat_request_duration_seconds", "Time.", {"api"}};
    h.with({"jscode2session"}).observe(0.003);
    h.with({"stable_token"}).observe(0.2);
    h.with({"jscode2session"}).observe(0.004);
    std::string text = render(h);
    EXPECT_TRUE(has_line(text, "# TYPE wxlogin_wechat_request_duration_seconds histogram")) << text;
    EXPECT_TRUE(has_line(text, R"(wxlogin_wechat_request_duration_seconds_count{api="jscode2session"} 2)")) << text;
    EXPECT_TRUE(has_line(text, R"(wxlogin_wechat_request_duration_seconds_bucket{api="jscode2session",le="0.005"} 2)"))
        << text;
    EXPECT_TRUE(has_line(text, R"(wxlogin_wechat_request_duration_seconds_bucket{api="stable_token",le="0.1"} 0)"))
        << text;
    EXPECT_TRUE(has_line(text, R"(wxlogin_wechat_request_duration_seconds_count{api="stable_token"} 1)")) << text;
}

TEST(MetricsRegistry, RendersCollectorsInOrder) {
    HttpMetrics http;
    CallbackMetric g{"wxlogin_gauge", "A gauge.", CallbackMetric::Type::gauge};
    g.sample([] { return 2.5; });
    MetricsRegistry reg;
    reg.add(http);
    reg.add(g);
    std::string text = reg.render();
    auto http_pos = text.find("wxlogin_http_requests_total");
    auto gauge_pos = text.find("wxlogin_gauge 2.5");
    ASSERT_NE(http_pos, std::string::npos);
    ASSERT_NE(gauge_pos, std::string::npos);
    EXPECT_LT(http_pos, gauge_pos);
    ASSERT_FALSE(text.empty());
    EXPECT_EQ(text.back(), '\n');  // the exposition format ends every line, including the last
}

}  // namespace
}  // namespace wx::obs
