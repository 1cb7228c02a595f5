// Micro-benchmarks of what every authenticated request pays: token verification, the revocation
// check, routing, metrics, the User JSON. Run: build/bench/wx_micro_bench (scripts/bench runs it too).
#include <benchmark/benchmark.h>

#include <string>
#include <vector>

#include "api/user_json.hpp"
#include "auth/ed25519_keys.hpp"
#include "auth/jwt.hpp"
#include "auth/refresh_token.hpp"
#include "core/clock.hpp"
#include "http/router.hpp"
#include "obs/metrics.hpp"
#include "store/in_process_revocation_list.hpp"

namespace {

wx::TestClock g_clock{1'800'000'000};
wx::auth::JwtCodec g_jwt{std::string(48, 'k'), wx::auth::JwtSettings{}, g_clock};
// The published RFC 8037 Appendix A.1 test key: fine for a benchmark, never for a deployment.
constexpr std::string_view kEd25519Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIJ1hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g\n"
    "-----END PRIVATE KEY-----\n";
wx::auth::JwtCodec g_eddsa{wx::auth::Ed25519KeySet::from_pem(kEd25519Pem, "RFC 8037 A.1"), wx::auth::JwtSettings{},
                           g_clock};

wx::auth::Claims sample_claims() {
    wx::auth::Claims c;
    c.sub = "42";
    c.sid = "0123456789abcdef0123456789abcdef";
    c.jti = "fedcba9876543210fedcba9876543210";
    c.role = "user";
    c.iat = g_clock.now();
    c.exp = g_clock.now() + 3600;
    return c;
}

void BM_JwtSign(benchmark::State& state) {
    auto c = sample_claims();
    for (auto _ : state) benchmark::DoNotOptimize(g_jwt.sign(c));
}
BENCHMARK(BM_JwtSign);

// The same token again and again, as a client sends it: answered from VerifiedTokens.
void BM_JwtVerify(benchmark::State& state) {
    std::string token = g_jwt.sign(sample_claims());
    for (auto _ : state) benchmark::DoNotOptimize(g_jwt.verify(token));
}
BENCHMARK(BM_JwtVerify);

// A token this thread has not verified lately (4096 of them in turn, 32 per slot): the full
// signature check and claims parse.
void BM_JwtVerifyUnseen(benchmark::State& state) {
    std::vector<std::string> tokens;
    for (int i = 0; i < 4096; ++i) {
        auto c = sample_claims();
        c.jti += std::to_string(i);
        tokens.push_back(g_jwt.sign(c));
    }
    std::size_t next = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(g_jwt.verify(tokens[next]));
        next = (next + 1) % tokens.size();
    }
}
BENCHMARK(BM_JwtVerifyUnseen);

void BM_EdDSASign(benchmark::State& state) {
    auto c = sample_claims();
    for (auto _ : state) benchmark::DoNotOptimize(g_eddsa.sign(c));
}
BENCHMARK(BM_EdDSASign)->Name("EdDSA sign");

void BM_EdDSAVerify(benchmark::State& state) {
    std::string token = g_eddsa.sign(sample_claims());
    for (auto _ : state) benchmark::DoNotOptimize(g_eddsa.verify(token));
}
BENCHMARK(BM_EdDSAVerify)->Name("EdDSA verify");

// The per-request revocation check of RequireAuth: a session id looked up among revoked ones.
// Arg 0: nothing revoked (the common case, one atomic load); otherwise that many revoked
// sessions, and the id looked up is not among them (a live session: the full hash lookup).
void BM_RevocationCheck(benchmark::State& state) {
    wx::store::InProcessRevocationList revoked{g_clock};
    for (std::int64_t i = 0; i < state.range(0); ++i) revoked.revoke(wx::auth::new_id(), g_clock.now() + 3600);
    std::string const sid = wx::auth::new_id();
    for (auto _ : state) benchmark::DoNotOptimize(revoked.check(sid));
}
BENCHMARK(BM_RevocationCheck)->Arg(0)->Arg(1000)->Arg(100000);

void BM_RouterMatch(benchmark::State& state) {
    wx::http::Router router{{}, nullptr};
    wx::http::Handler h = [](wx::http::Request&, wx::http::RequestContext&) -> wx::Task<wx::http::Response> {
        co_return wx::http::Response{};
    };
    for (auto p : {"/healthz", "/readyz", "/metrics", "/api/v1/auth/wechat/login", "/api/v1/auth/refresh",
                   "/api/v1/auth/logout", "/api/v1/users/me"})
        router.add(wx::http::verb::get, p, h);
    for (auto _ : state) benchmark::DoNotOptimize(router.match(wx::http::verb::get, "/api/v1/users/me"));
}
BENCHMARK(BM_RouterMatch);

// A templated route: the exact-path lookup misses, then templates are tried, most specific first.
void BM_RouterMatchTemplate(benchmark::State& state) {
    wx::http::Router router{{}, nullptr};
    wx::http::Handler h = [](wx::http::Request&, wx::http::RequestContext&) -> wx::Task<wx::http::Response> {
        co_return wx::http::Response{};
    };
    for (auto p : {"/healthz", "/api/v1/users/me", "/api/v1/users/me/sessions/{sid}", "/api/v1/admin/users/{id:int}",
                   "/api/v1/admin/users/{id:int}/sessions", "/api/v1/admin/users/{id:int}/sessions/{sid}"})
        router.add(wx::http::verb::get, p, h);
    for (auto _ : state) benchmark::DoNotOptimize(router.match(wx::http::verb::get, "/api/v1/admin/users/42"));
}
BENCHMARK(BM_RouterMatchTemplate);

void BM_MetricsRecord(benchmark::State& state) {
    wx::obs::HttpMetrics m;
    auto route = m.add_route("/api/v1/users/me");
    for (auto _ : state) m.record(route, "GET", 200, 0.0003);
}
BENCHMARK(BM_MetricsRecord);

void BM_UserJson(benchmark::State& state) {
    wx::store::User u;
    u.id = 42;
    u.nickname = "alice";
    u.created_at = g_clock.now();
    u.wechat = wx::store::WeChatIdentity{"wx123", "o6_bmjrPTlm6_2sgVt7hMZOPfL2M", std::nullopt};
    for (auto _ : state) benchmark::DoNotOptimize(wx::api::user_json(u));
}
BENCHMARK(BM_UserJson);

}  // namespace
