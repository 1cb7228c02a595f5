// Micro-benchmarks of what a login pays beyond the token checks of hot_path_bench.cpp: reading the
// JSON body (with the duplicate-key pass), Argon2id at the configured cost, and the login
// transaction on SQLite through the committer (a real file in a temp directory, as `serve` opens it).
#include <benchmark/benchmark.h>
#include <sodium.h>
#include <unistd.h>

#include <boost/json/parse.hpp>
#include <filesystem>
#include <stdexcept>

#include "app/config.hpp"
#include "auth/refresh_token.hpp"
#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "core/sync_wait.hpp"
#include "http/json_duplicate_keys.hpp"
#include "obs/log.hpp"
#include "store/sqlite_backend.hpp"
#include "store/wechat_identity_store.hpp"

namespace {

constexpr std::string_view kLoginBody = R"({"code":"081Kq4Ga1Mt6sH0E2gHa1QTPnO2Kq4Gv","app_id":"wx1234567890abcdef"})";

void BM_LoginBodyParse(benchmark::State& state) {
    for (auto _ : state) {
        benchmark::DoNotOptimize(wx::http::first_duplicate_key(kLoginBody, 32));
        benchmark::DoNotOptimize(boost::json::parse(kLoginBody));
    }
}
BENCHMARK(BM_LoginBodyParse);

// One password check at the defaults `serve` uses (app::PasswordConfig): the cost a password login
// waits for on the hashing pool.
void BM_Argon2idVerify(benchmark::State& state) {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    wx::app::PasswordConfig const cfg;
    char stored[crypto_pwhash_STRBYTES];
    std::string const password = "correct horse battery staple";
    if (crypto_pwhash_str(stored, password.data(), password.size(), cfg.opslimit, cfg.memlimit_kib * 1024) != 0)
        throw std::runtime_error("argon2id: out of memory");
    for (auto _ : state) benchmark::DoNotOptimize(crypto_pwhash_str_verify(stored, password.data(), password.size()));
    state.SetLabel("m=" + std::to_string(cfg.memlimit_kib) + " KiB, t=" + std::to_string(cfg.opslimit));
}
BENCHMARK(BM_Argon2idVerify)->Unit(benchmark::kMillisecond)->Iterations(10);

// An existing user's WeChat login: find the identity, refresh its session_key, load the user,
// insert the session and its refresh token, in one committed batch of one. Under load the
// committer batches many logins per commit; this is the unbatched worst case.
void BM_LoginTransaction(benchmark::State& state) {
    namespace fs = std::filesystem;
    fs::path const dir = fs::temp_directory_path() / ("wxlogin-bench-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    wx::obs::init_logging(wx::obs::LogFormat::text, wx::obs::LogLevel::warn);  // no migration lines
    wx::SystemClock clock;
    wx::BlockingPool pool{"bench", 2, 64};
    {
        auto backend = wx::store::SqliteBackend::open((dir / "bench.db").string(), pool, clock);
        if (!backend || !(*backend)->migrate()) throw std::runtime_error("sqlite: cannot open the bench database");
        wx::store::WeChatIdentityStore identities{**backend};
        auto login_once = [&](std::string const& openid) {
            wx::store::WeChatLogin login;
            login.identity = wx::store::WeChatIdentity{"wxbench", openid, std::nullopt};
            login.session_key_sealed.assign(44, 7);
            login.now = clock.now();
            login.session.id = wx::auth::new_session_id(login.now * 1000);
            login.session.refresh_hash = wx::auth::new_refresh_token(login.now * 1000).key;
            login.session.created_at = login.now;
            login.session.expires_at = login.now + 30 * 86400;
            login.session.access_expires_at = login.now + 7200;
            return wx::sync_wait(identities.login(std::move(login)));
        };
        for (int i = 0; i < 1000; ++i) (void)login_once("openid-" + std::to_string(i));  // existing users
        int n = 0;
        for (auto _ : state) {
            auto outcome = login_once("openid-" + std::to_string(n++ % 1000));
            if (!outcome) state.SkipWithError("login transaction failed");
        }
    }
    fs::remove_all(dir);
}
BENCHMARK(BM_LoginTransaction)->Unit(benchmark::kMicrosecond);

}  // namespace
