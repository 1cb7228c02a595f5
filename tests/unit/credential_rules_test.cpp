#include "auth/credential_rules.hpp"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <string_view>

namespace wx::auth {
namespace {

using namespace std::string_literals;

std::optional<std::string_view> const kOk = std::nullopt;

TEST(CredentialRulesUsername, AcceptsTheAllowedAlphabet) {
    for (std::string_view name :
         {"bob", "Alice_01", "_under", "a.b-c", "0day", "x.y.z", "abc-", "ABC", "abcdefghijklmnopqrstuvwxyz012345"}) {
        EXPECT_EQ(username_problem(name), kOk) << name;
    }
}

TEST(CredentialRulesUsername, Length) {
    EXPECT_EQ(username_problem(""), reason::too_short);
    EXPECT_EQ(username_problem("ab"), reason::too_short);
    EXPECT_EQ(username_problem("abc"), kOk);
    EXPECT_EQ(username_problem(std::string(32, 'a')), kOk);
    EXPECT_EQ(username_problem(std::string(33, 'a')), reason::too_long);
    EXPECT_EQ(username_problem(std::string(100000, 'a')), reason::too_long);
}

TEST(CredentialRulesUsername, InvalidCharacters) {
    for (std::string_view name : {"bad name", "semi;colon", "a@b.c", "tab\tname", "new\nline", "émile", "ａｄｍｉｎ",
                                  "аdmin" /* Cyrillic а */, "zero\u200bwidth", "rtl\u202eabc"}) {
        EXPECT_EQ(username_problem(name), reason::invalid_characters) << name;
    }
    EXPECT_EQ(username_problem("a\0b"s), reason::invalid_characters);
}

TEST(CredentialRulesUsername, InvalidStart) {
    EXPECT_EQ(username_problem(".abc"), reason::invalid_start);
    EXPECT_EQ(username_problem("-abc"), reason::invalid_start);
    EXPECT_EQ(username_problem("_abc"), kOk);
    EXPECT_EQ(username_problem("9abc"), kOk);
}

TEST(CredentialRulesUsername, SqlInjectionStringsAreRefused) {
    for (std::string_view name : {"' OR 1=1 --", "admin'--", "\"; DROP TABLE users;--", "x' OR '1'='1", "a\\b"}) {
        EXPECT_NE(username_problem(name), kOk) << name;
    }
}

TEST(CredentialRulesPassword, Length) {
    EXPECT_EQ(password_problem(""), reason::too_short);
    EXPECT_EQ(password_problem("1234567"), reason::too_short);
    EXPECT_EQ(password_problem("12345678"), kOk);
    EXPECT_EQ(password_problem(std::string(128, 'p')), kOk);
    EXPECT_EQ(password_problem(std::string(129, 'p')), reason::too_long);
    EXPECT_EQ(password_problem(std::string(1 << 20, 'p')), reason::too_long);
}

TEST(CredentialRulesPassword, CountsCodePointsNotBytes) {
    // 8 characters in 24 bytes; 7 characters in 28 bytes.
    EXPECT_EQ(password_problem("密码密码密码密码"), kOk);
    EXPECT_EQ(password_problem("🔒🔒🔒🔒🔒🔒🔒"), reason::too_short);
    std::string at_limit;
    for (int i = 0; i < 128; ++i) at_limit += "🔒";
    EXPECT_EQ(password_problem(at_limit), kOk) << "512 bytes, 128 characters";
    EXPECT_EQ(password_problem(at_limit + "a"), reason::too_long);
    EXPECT_EQ(password_problem("pässwörd密码🔒"), kOk);
}

TEST(CredentialRulesPassword, AnyPrintableIsAllowedWithoutCompositionRules) {
    for (std::string_view pw : {"' OR 1=1 --", "\"; DROP TABLE users;--", "correct horse battery staple", "        ",
                                "aaaaaaaa", "пароль123", "\\\\\\\\\\\\\\\\", "tab\u00a0nbsp!"}) {
        EXPECT_EQ(password_problem(pw), kOk) << pw;
    }
}

TEST(CredentialRulesPassword, ControlCharactersAreRefused) {
    EXPECT_EQ(password_problem("abcd\0efgh"s), reason::invalid_characters);
    EXPECT_EQ(password_problem("abcd\nefgh"), reason::invalid_characters);
    EXPECT_EQ(password_problem("abcd\tefgh"), reason::invalid_characters);
    EXPECT_EQ(password_problem("abcd\x7f"
                               "efgh"),
              reason::invalid_characters);
    EXPECT_EQ(password_problem("abcd\u0085efgh"), reason::invalid_characters);  // C1 NEL
}

TEST(CredentialRulesPassword, TooLongForLogin) {
    EXPECT_FALSE(password_too_long(""));
    EXPECT_FALSE(password_too_long(std::string(128, 'p')));
    EXPECT_TRUE(password_too_long(std::string(129, 'p')));
    EXPECT_TRUE(password_too_long(std::string(1 << 20, 'p')));
    std::string cjk;
    for (int i = 0; i < 128; ++i) cjk += "密";
    EXPECT_FALSE(password_too_long(cjk));
    EXPECT_TRUE(password_too_long(cjk + "密"));
}

TEST(CredentialRulesEmail, AcceptsPlausibleAddresses) {
    for (std::string_view email :
         {"a@b.co", "user.name+tag@example.co.uk", "USER@EXAMPLE.COM", "x_y-z@mail-1.example", "12345@qq.com",
          "o'brien@example.ie", "a@xn--fiqs8s.cn", "!#$%&'*+-/=?^_`{|}~@x.io"}) {
        EXPECT_EQ(email_problem(email), kOk) << email;
    }
}

TEST(CredentialRulesEmail, RefusesImplausibleAddresses) {
    for (std::string_view email : {"",
                                   "plainaddress",
                                   "@example.com",
                                   "user@",
                                   "user@localhost",
                                   "a@@b.com",
                                   "a@b@c.com",
                                   "a b@c.com",
                                   "ab@c d.com",
                                   "a@b..com",
                                   "a@.b.com",
                                   "a@b.com.",
                                   "a@-b.com",
                                   "a@b-.com",
                                   "a@b_c.com",
                                   ".a@b.com",
                                   "a.@b.com",
                                   "a..b@c.com",
                                   "\"quoted\"@b.com",
                                   "a(b)@c.com",
                                   "a<b>@c.com",
                                   "a,b@c.com",
                                   "a;b@c.com",
                                   "a:b@c.com",
                                   "a[b]@c.com",
                                   "a\\b@c.com",
                                   "a@[127.0.0.1]",
                                   "a\n@b.com",
                                   "a@b.com\r\n",
                                   "ä@b.com",
                                   "a@bü.com",
                                   "' OR 1=1 --@x.com"}) {
        EXPECT_EQ(email_problem(email), reason::invalid_email) << email;
    }
    EXPECT_EQ(email_problem("a\0b@c.com"s), reason::invalid_email);
}

TEST(CredentialRulesEmail, Lengths) {
    std::string const local64(64, 'l');
    EXPECT_EQ(email_problem(local64 + "@example.com"), kOk);
    EXPECT_EQ(email_problem(local64 + "l@example.com"), reason::invalid_email);
    std::string const label63(63, 'd');
    EXPECT_EQ(email_problem("a@" + label63 + ".com"), kOk);
    EXPECT_EQ(email_problem("a@" + label63 + "d.com"), reason::invalid_email);
    // 254 characters exactly, then 255.
    std::string const domain = label63 + "." + label63 + "." + label63 + "." + std::string(57, 'e');
    // Appended, not `"literal" + std::string`: GCC 12 at -O3 warns falsely about that (-Warray-bounds).
    std::string at_limit = "abcdefghijklmnopqrstuvwxyz@";
    at_limit += domain.substr(domain.size() - 227);
    ASSERT_EQ(at_limit.size(), 254U);
    EXPECT_EQ(email_problem(at_limit), kOk);
    EXPECT_EQ(email_problem("z" + at_limit), reason::too_long);
    EXPECT_EQ(email_problem(std::string(100000, 'a') + "@b.com"), reason::too_long);
}

TEST(CredentialRulesKeys, CaseInsensitiveCanonicalForms) {
    EXPECT_EQ(username_key("Alice.Smith_01"), "alice.smith_01");
    EXPECT_EQ(username_key("ALICE"), username_key("alice"));
    EXPECT_EQ(email_key("Alice.Smith@Example.COM"), "alice.smith@example.com");
    EXPECT_EQ(email_key("USER@EXAMPLE.COM"), email_key("user@example.com"));
    // Only ASCII letters fold: non-ASCII never passes validation, and must not be folded into a match.
    EXPECT_NE(username_key("ÄBC"), username_key("äbc"));
}

TEST(CredentialRulesKeys, EmailIdentifier) {
    EXPECT_TRUE(is_email_identifier("alice@example.com"));
    EXPECT_TRUE(is_email_identifier("@"));
    EXPECT_FALSE(is_email_identifier("alice"));
    EXPECT_FALSE(is_email_identifier(""));
}

TEST(CredentialRulesKeys, CountCodePoints) {
    EXPECT_EQ(count_code_points(""), 0U);
    EXPECT_EQ(count_code_points("abc"), 3U);
    EXPECT_EQ(count_code_points("pässwörd密码🔒"), 11U);
}

}  // namespace
}  // namespace wx::auth
