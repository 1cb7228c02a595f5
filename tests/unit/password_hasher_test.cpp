#include "auth/password_hasher.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/run_sync.hpp"

namespace wx::auth {
namespace {

using test::run_sync;

PasswordHasherConfig cheap_config() {
    PasswordHasherConfig c;
    c.opslimit = crypto_pwhash_OPSLIMIT_MIN;
    c.memlimit = crypto_pwhash_MEMLIMIT_MIN;
    c.threads = 1;
    return c;
}

std::string hash_of(PasswordHasher& hasher, std::string password) {
    result<std::string> h = run_sync(hasher.hash(std::move(password)));
    EXPECT_TRUE(h.has_value());
    return h ? *h : std::string();
}

VerifyOutcome verify(PasswordHasher& hasher, std::string password, std::optional<std::string> stored) {
    result<VerifyOutcome> v = run_sync(hasher.verify(std::move(password), std::move(stored)));
    EXPECT_TRUE(v.has_value());
    return v ? *v : VerifyOutcome{};
}

class PasswordHasherTest : public ::testing::Test {
protected:
    PasswordHasher hasher_{cheap_config()};
};

TEST_F(PasswordHasherTest, HashIsSaltedArgon2idWithConfiguredParameters) {
    std::string const a = hash_of(hasher_, "correct horse battery staple");
    std::string const b = hash_of(hasher_, "correct horse battery staple");
    EXPECT_EQ(a.rfind("$argon2id$v=19$m=8,t=1,p=1$", 0), 0U) << "unexpected encoding";
    EXPECT_NE(a, b) << "same password must get a fresh salt";
    EXPECT_EQ(a.find("correct"), std::string::npos);
}

TEST_F(PasswordHasherTest, RoundTripMatches) {
    std::string const h = hash_of(hasher_, "correct horse battery staple");
    VerifyOutcome const v = verify(hasher_, "correct horse battery staple", h);
    EXPECT_TRUE(v.match);
    EXPECT_FALSE(v.needs_rehash);
}

TEST_F(PasswordHasherTest, UnicodePasswordRoundTrips) {
    std::string const password = "pässwörd密码🔒";
    std::string const h = hash_of(hasher_, password);
    EXPECT_TRUE(verify(hasher_, password, h).match);
    // No normalisation: the NFD spelling of "ä" is another password.
    EXPECT_FALSE(verify(hasher_, "pa\xCC\x88sswörd密码🔒", h).match);
}

TEST_F(PasswordHasherTest, PasswordsWithNulAndSqlAreJustBytes) {
    std::string const with_nul("abc\0defgh", 9);
    std::string const h = hash_of(hasher_, with_nul);
    EXPECT_TRUE(verify(hasher_, with_nul, h).match);
    EXPECT_FALSE(verify(hasher_, "abc", h).match) << "must not stop at NUL";
    std::string const sql = hash_of(hasher_, "' OR 1=1 --");
    EXPECT_TRUE(verify(hasher_, "' OR 1=1 --", sql).match);
}

TEST_F(PasswordHasherTest, WrongPasswordDoesNotMatchAndCostsOneOperation) {
    std::string const h = hash_of(hasher_, "correct horse battery staple");
    std::uint64_t const before = hasher_.operations();
    VerifyOutcome const v = verify(hasher_, "correct horse battery stapler", h);
    EXPECT_FALSE(v.match);
    EXPECT_FALSE(v.needs_rehash);
    EXPECT_EQ(hasher_.operations() - before, 1U);
}

TEST_F(PasswordHasherTest, EmptyPasswordStillCostsOneOperation) {
    std::string const h = hash_of(hasher_, "correct horse battery staple");
    std::uint64_t const before = hasher_.operations();
    EXPECT_FALSE(verify(hasher_, "", h).match);
    EXPECT_EQ(hasher_.operations() - before, 1U);
}

TEST_F(PasswordHasherTest, UnknownUserVerifiesAgainstDummyForExactlyOneOperation) {
    std::uint64_t const before = hasher_.operations();
    VerifyOutcome const v = verify(hasher_, "whatever password", std::nullopt);
    EXPECT_FALSE(v.match);
    EXPECT_FALSE(v.needs_rehash);
    EXPECT_EQ(hasher_.operations() - before, 1U);
    EXPECT_FALSE(verify(hasher_, "", std::nullopt).match);
}

TEST_F(PasswordHasherTest, GarbageStoredHashIsAMismatchAtTheSameCost) {
    std::string const real = hash_of(hasher_, "correct horse battery staple");
    std::vector<std::string> const garbage = {
        "",
        "not a hash",
        "$argon2id$v=19$m=garbage",
        "$argon2id$v=19$m=8,t=1,p=1$AAAA$BBBB",
        "$2b$12$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",  // bcrypt: not ours
        real + std::string(200, 'A'),                                    // longer than libsodium's buffer
        std::string(real).insert(10, 1, '\0'),                           // embedded NUL
        real.substr(0, real.size() - 4),                                 // truncated
    };
    for (std::string const& stored : garbage) {
        std::uint64_t const before = hasher_.operations();
        VerifyOutcome const v = verify(hasher_, "correct horse battery staple", stored);
        EXPECT_FALSE(v.match) << stored;
        EXPECT_FALSE(v.needs_rehash) << stored;
        EXPECT_EQ(hasher_.operations() - before, 1U) << stored;
    }
}

TEST_F(PasswordHasherTest, RaisedParametersAskForRehashOnlyOnMatch) {
    std::string const old_hash = hash_of(hasher_, "correct horse battery staple");
    PasswordHasherConfig stronger = cheap_config();
    stronger.opslimit += 1;
    PasswordHasher upgraded{stronger};

    VerifyOutcome const ok = verify(upgraded, "correct horse battery staple", old_hash);
    EXPECT_TRUE(ok.match);
    EXPECT_TRUE(ok.needs_rehash);
    EXPECT_FALSE(verify(upgraded, "wrong password!", old_hash).needs_rehash);

    std::string const fresh = hash_of(upgraded, "correct horse battery staple");
    VerifyOutcome const again = verify(upgraded, "correct horse battery staple", fresh);
    EXPECT_TRUE(again.match);
    EXPECT_FALSE(again.needs_rehash);
}

TEST(PasswordHasherOverload, FullPoolAnswersOverloadedWithoutHashing) {
    PasswordHasherConfig c = cheap_config();
    c.capacity_per_thread = 0;
    PasswordHasher hasher{c};
    result<std::string> const h = run_sync(hasher.hash("correct horse battery staple"));
    ASSERT_FALSE(h.has_value());
    EXPECT_EQ(h.error(), PasswordErrc::overloaded);
    result<VerifyOutcome> const v = run_sync(hasher.verify("correct horse battery staple", std::nullopt));
    ASSERT_FALSE(v.has_value());
    EXPECT_EQ(v.error(), PasswordErrc::overloaded);
    EXPECT_EQ(v.error().category().name(), std::string_view("password"));
    EXPECT_EQ(hasher.operations(), 0U);
    EXPECT_EQ(hasher.pool().rejected(), 2U);
}

TEST(PasswordHasherOverload, ConcurrentCallsWithinCapacityAllComplete) {
    PasswordHasherConfig c = cheap_config();
    c.threads = 2;
    c.capacity_per_thread = 4;
    PasswordHasher hasher{c};
    std::string const h = hash_of(hasher, "correct horse battery staple");

    boost::asio::io_context ioc;
    int matched = 0;
    int answered = 0;
    auto on_done = [&matched, &answered](std::exception_ptr e, result<VerifyOutcome> v) {
        ASSERT_FALSE(e);
        ASSERT_TRUE(v.has_value());
        ++answered;
        if (v->match) ++matched;
    };
    for (int i = 0; i < 8; ++i) {
        std::string password = i % 2 == 0 ? "correct horse battery staple" : "wrong horse battery staple";
        boost::asio::co_spawn(ioc, hasher.verify(std::move(password), h), on_done);
    }
    ioc.run();
    EXPECT_EQ(answered, 8);
    EXPECT_EQ(matched, 4);
    EXPECT_EQ(hasher.pool().in_flight(), 0U);
}

TEST(PasswordHasherConfigTest, RefusesParametersLibsodiumRefuses) {
    PasswordHasherConfig c = cheap_config();
    c.memlimit = crypto_pwhash_MEMLIMIT_MIN - 1;
    EXPECT_THROW(PasswordHasher{c}, std::invalid_argument);
    c = cheap_config();
    c.opslimit = 0;
    EXPECT_THROW(PasswordHasher{c}, std::invalid_argument);
}

TEST(PasswordHasherDefaults, MeetOwaspMinimumAndRoundTrip) {
    PasswordHasherConfig const defaults;
    EXPECT_GE(defaults.opslimit, 2U);
    EXPECT_GE(defaults.memlimit, std::size_t{19} << 20);
    PasswordHasher hasher{defaults};
    EXPECT_GE(hasher.config().threads, 1U);
    std::string const h = hash_of(hasher, "pässwörd密码🔒");
    EXPECT_NE(h.find("$m=32768,t=2,p=1$"), std::string::npos) << h;
    VerifyOutcome const v = verify(hasher, "pässwörd密码🔒", h);
    EXPECT_TRUE(v.match);
    EXPECT_FALSE(v.needs_rehash);
    EXPECT_FALSE(verify(hasher, "pässwörd密码🔒", std::nullopt).match);
}

// Measurement, not a check: ./wx_unit_tests --gtest_also_run_disabled_tests
// --gtest_filter='*DISABLED_MeasureDefaultCost*'
TEST(PasswordHasherDefaults, DISABLED_MeasureDefaultCost) {
    PasswordHasher hasher{PasswordHasherConfig{}};
    std::string const h = hash_of(hasher, "correct horse battery staple");
    constexpr int kRounds = 20;
    auto const start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRounds; ++i) (void)verify(hasher, "correct horse battery staple", h);
    auto const elapsed = std::chrono::steady_clock::now() - start;
    std::printf("default Argon2id (%s): %.1f ms per verify\n", h.substr(0, 30).c_str(),
                std::chrono::duration<double, std::milli>(elapsed).count() / kRounds);
}

}  // namespace
}  // namespace wx::auth
