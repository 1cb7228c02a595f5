// Refresh tokens: their shape, and the storage keys that sort by creation (refresh_token.cpp).
#include "auth/refresh_token.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "auth/encoding.hpp"

namespace wx::auth {
namespace {

constexpr std::int64_t kMs = 1'764'800'000'123;  // 2025-12-03, in milliseconds

std::string key_hex(std::string_view token) { return hex_encode(refresh_token_key(token)); }

TEST(RefreshToken, IsSixtyFourBase64urlCharactersOfWhichTheKeyIsTheIdAndTheHash) {
    auto t = new_refresh_token(kMs);
    EXPECT_EQ(t.token.size(), 64u);
    EXPECT_TRUE(looks_like_refresh_token(t.token));
    EXPECT_EQ(t.key, refresh_token_key(t.token));
    ASSERT_EQ(t.key.size(), 48u);
    auto bytes = secret_base64url_decode(t.token);
    ASSERT_TRUE(bytes);
    ASSERT_EQ(bytes->size(), 48u);
    EXPECT_TRUE(std::equal(t.key.begin(), t.key.begin() + 16, bytes->begin())) << "the key starts with the id";
    EXPECT_EQ(hex_encode(std::vector<unsigned char>(t.key.begin(), t.key.begin() + 6)), "019ae646f07b")
        << "the id starts with the milliseconds, big-endian";
}

TEST(RefreshToken, KeyOfAKnownTokenIsItsIdThenItsSha256) {
    // The token of bytes 0..47; its SHA-256 as Python's hashlib computes it.
    EXPECT_EQ(key_hex("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4v"),
              "000102030405060708090a0b0c0d0e0f"
              "90b7f18934aba31fe47bbc8fca3bd060167ded5c6dd8a7f053d75eca83ce35c2");
}

TEST(RefreshToken, KeyOfATokenOfTheEarlierLayoutIsItsBareSha256) {
    // Tokens issued before the id (43 characters) are stored under their SHA-256 and must still
    // be found after an upgrade.
    EXPECT_TRUE(looks_like_refresh_token(std::string(43, 'Q')));
    EXPECT_EQ(key_hex(std::string(43, 'Q')), "9cdc7469f022f9e7965d22eff1ab2c260adcd0c23b98d199c519762f3a0be959");
}

TEST(RefreshToken, KeysSortByCreationAndNeverRepeat) {
    std::vector<std::string> keys;  // hex sorts as the bytes do
    for (std::int64_t ms = kMs; ms < kMs + 50; ++ms) keys.push_back(hex_encode(new_refresh_token(ms).key));
    EXPECT_TRUE(std::ranges::is_sorted(keys)) << "a later token's key sorts after an earlier one's";

    std::set<std::string> tokens;
    std::set<std::string> same_ms_keys;  // as hex: GCC 12 warns falsely on a set of byte vectors
    constexpr int kTokens = 200;
    for (int i = 0; i < kTokens; ++i) {
        auto t = new_refresh_token(kMs);
        tokens.insert(t.token);
        same_ms_keys.insert(hex_encode(t.key));
    }
    EXPECT_EQ(tokens.size(), std::size_t{kTokens}) << "tokens of one millisecond differ";
    EXPECT_EQ(same_ms_keys.size(), std::size_t{kTokens});
}

TEST(RefreshToken, ShapesOtherThanTheTwoLayoutsAreRefused) {
    auto t = new_refresh_token(kMs).token;
    EXPECT_FALSE(looks_like_refresh_token(""));
    EXPECT_FALSE(looks_like_refresh_token(t.substr(0, 63)));
    EXPECT_FALSE(looks_like_refresh_token(t + "A"));
    EXPECT_FALSE(looks_like_refresh_token(std::string(42, 'A')));
    EXPECT_FALSE(looks_like_refresh_token(std::string(44, 'A')));
    for (char bad : {'+', '/', '=', '.', ' ', '\n', '\0'}) {
        auto s = t;
        s[10] = bad;
        EXPECT_FALSE(looks_like_refresh_token(s)) << static_cast<int>(bad);
    }
}

TEST(RefreshToken, KeyOfAnyOtherStringIsItsBareSha256) {
    // refresh_token_key is total: a string of the right length that is no base64url (the API
    // refuses it before, by shape) gets a 32-byte key that no current token has.
    auto const odd = std::string(64, '*');
    EXPECT_EQ(refresh_token_key(odd).size(), 32u);
    EXPECT_EQ(refresh_token_key("").size(), 32u);
}

}  // namespace
}  // namespace wx::auth
