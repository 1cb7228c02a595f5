// Query strings and percent-decoding: the rules of http/query.hpp and http/percent_decoding.hpp.
#include "http/query.hpp"

#include <gtest/gtest.h>

#include <string>

#include "http/percent_decoding.hpp"

namespace wx::http {
namespace {

QueryParams parsed(std::string_view q) {
    auto r = QueryParams::parse(q);
    EXPECT_TRUE(r.has_value()) << q;
    return r.has_value() ? std::move(*r) : QueryParams{};
}

QueryProblem problem_of(std::string_view q) {
    auto r = QueryParams::parse(q);
    EXPECT_TRUE(r.has_error()) << q;
    return r.has_error() ? r.error() : QueryProblem{};
}

TEST(QueryOf, IsWhatFollowsTheQuestionMarkUpToTheFragment) {
    EXPECT_EQ(query_of("/x?a=1&b=2"), "a=1&b=2");
    EXPECT_EQ(query_of("/x?a=1#frag"), "a=1");
    EXPECT_EQ(query_of("/x?a=1?b"), "a=1?b");
    EXPECT_EQ(query_of("/x?"), "");
    EXPECT_EQ(query_of("/x"), "");
    EXPECT_EQ(query_of("/x#f?g=1"), "");
}

TEST(Query, KeysAndValuesInOrder) {
    auto q = parsed("username=alice&email=a%40example.com");
    ASSERT_EQ(q.items().size(), 2u);
    EXPECT_EQ(q.items()[0].key, "username");
    EXPECT_EQ(q.items()[0].value, "alice");
    EXPECT_EQ(q.items()[1].key, "email");
    EXPECT_EQ(q.items()[1].value, "a@example.com");
    EXPECT_EQ(q.find("username"), "alice");
    EXPECT_EQ(q.find("phone"), std::nullopt);
    EXPECT_TRUE(parsed("").empty());
}

TEST(Query, PercentDecodingOfKeysAndValuesInEitherHexCase) {
    auto q = parsed("phone=%2B85291234567&nick=%E5%BE%AE%e4%bf%a1&user%5Fname=x");
    EXPECT_EQ(q.find("phone"), "+85291234567");
    EXPECT_EQ(q.find("nick"), "\xe5\xbe\xae\xe4\xbf\xa1");  // 微信
    EXPECT_EQ(q.find("user_name"), "x");
    EXPECT_EQ(parsed("a=%26%3D%23").find("a"), "&=#");  // escaped separators are data
}

TEST(Query, PlusIsASpaceAndPercent2BIsAPlus) {
    auto q = parsed("q=a+b&phone=+8613800001111&plus=%2B1");
    EXPECT_EQ(q.find("q"), "a b");
    EXPECT_EQ(q.find("phone"), " 8613800001111");  // an unescaped '+' is a space, as in any form
    EXPECT_EQ(q.find("plus"), "+1");
    EXPECT_EQ(parsed("a+b=1").find("a b"), "1");
}

TEST(Query, DuplicatesAreKeptInOrder) {
    auto q = parsed("a=1&b=x&a=2&a=");
    EXPECT_EQ(q.count("a"), 3u);
    EXPECT_EQ(q.count("b"), 1u);
    EXPECT_EQ(q.count("c"), 0u);
    EXPECT_EQ(q.find("a"), "1");
    EXPECT_EQ(q.all("a"), (std::vector<std::string_view>{"1", "2", ""}));
    EXPECT_TRUE(q.all("c").empty());
}

TEST(Query, EmptyValuesEmptyKeysAndEmptyPieces) {
    auto q = parsed("&&a=&b&=x&");
    ASSERT_EQ(q.items().size(), 3u);
    EXPECT_EQ(q.find("a"), "");  // present with an empty value: not the same as absent
    EXPECT_EQ(q.find("b"), "");
    EXPECT_EQ(q.find(""), "x");
    EXPECT_EQ(parsed("a=b=c").find("a"), "b=c");  // split at the first '='
}

TEST(Query, KeysAreCaseSensitive) {
    auto q = parsed("Username=alice");
    EXPECT_EQ(q.find("username"), std::nullopt);
    EXPECT_EQ(q.find("Username"), "alice");
}

TEST(Query, InvalidPercentEncodingIsRefused) {
    for (std::string_view q : {"a=%", "a=%2", "a=%zz", "a=%2g", "a%G0=1", "a=1&b=%%41", "a=100%"})
        EXPECT_EQ(problem_of(q), QueryProblem::bad_percent_encoding) << q;
}

TEST(Query, InvalidUtf8IsRefused) {
    for (std::string_view q : {"a=%ff", "a=%C0%AF", "a=%ED%A0%80", "a=%F4%90%80%80", "a=%E5%BE", "%80=1", "a=x%E5"})
        EXPECT_EQ(problem_of(q), QueryProblem::not_utf8) << q;
    EXPECT_FALSE(describe(QueryProblem::not_utf8).empty());
    EXPECT_NE(describe(QueryProblem::not_utf8), describe(QueryProblem::bad_percent_encoding));
}

TEST(PercentDecode, PlusIsLiteralInPaths) {
    EXPECT_EQ(percent_decode("a+b%20c", Plus::literal), "a+b c");
    EXPECT_EQ(percent_decode("a+b%20c", Plus::space), "a b c");
    EXPECT_EQ(percent_decode("", Plus::literal), "");
    EXPECT_EQ(percent_decode("%2f%2F", Plus::literal), "//");
    EXPECT_EQ(percent_decode("%00", Plus::literal), std::string(1, '\0'));
    EXPECT_EQ(percent_decode("%", Plus::literal), std::nullopt);
    EXPECT_EQ(percent_decode("ab%4", Plus::literal), std::nullopt);
}

TEST(Utf8, AcceptsWellFormedAndRefusesTheRest) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii"));
    EXPECT_TRUE(is_valid_utf8("\xc3\xa9"));                     // U+00E9
    EXPECT_TRUE(is_valid_utf8("\xe5\xbe\xae"));                 // U+5FAE
    EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));             // U+1F600
    EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));             // U+10FFFF, the last
    EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));                 // U+D7FF, before the surrogates
    EXPECT_FALSE(is_valid_utf8("\x80"));                        // stray continuation
    EXPECT_FALSE(is_valid_utf8("\xc0\x80"));                    // overlong NUL
    EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));                // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xf0\x80\x80\xaf"));            // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));                // U+D800, a surrogate
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80"));            // U+110000
    EXPECT_FALSE(is_valid_utf8("\xf8\x88\x80\x80\x80"));        // five-byte form
    EXPECT_FALSE(is_valid_utf8("\xe5\xbe"));                    // truncated
    EXPECT_FALSE(is_valid_utf8("\xe5\x41\xae"));                // not a continuation
    EXPECT_FALSE(is_valid_utf8(std::string_view{"a\xc3", 2}));  // truncated at the end
}

}  // namespace
}  // namespace wx::http
