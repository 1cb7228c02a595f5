// The pure framing checks behind the server's refusals (the socket-level cases are in
// tests/integration/request_framing_test.cpp).
#include "http/request_framing.hpp"

#include <gtest/gtest.h>

namespace wx::http {
namespace {

RequestHeader header(unsigned version, std::initializer_list<std::pair<std::string_view, std::string_view>> fields) {
    RequestHeader h;
    h.version(version);
    h.method(verb::post);
    h.target("/x");
    for (auto const& [name, value] : fields) h.insert(name, value);
    return h;
}

TEST(HeaderSectionEnd, FindsTheFirstBlankLine) {
    EXPECT_EQ(header_section_end("GET / HTTP/1.1\r\nHost: x\r\n\r\nGET"), 27u);
    EXPECT_EQ(header_section_end("GET / HTTP/1.1\r\nHost: x\r\n"), std::string_view::npos);
}

TEST(ObsFold, IsALineBreakFollowedBySpaceOrTab) {
    EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n"));
    EXPECT_TRUE(has_obs_fold("GET / HTTP/1.1\r\nA: b\r\n\tc\r\n\r\n"));
    EXPECT_FALSE(has_obs_fold("GET / HTTP/1.1\r\nA: b c\r\nD:\te\r\n\r\n"));
}

TEST(FramingViolation, AcceptsOrdinaryRequests) {
    EXPECT_FALSE(framing_violation(header(11, {{"Host", "x"}, {"Content-Length", "12"}})));
    EXPECT_FALSE(framing_violation(header(11, {{"Host", "x"}, {"Transfer-Encoding", "Chunked"}})));
    EXPECT_FALSE(framing_violation(header(10, {})));
}

TEST(FramingViolation, NamesEachBrokenRule) {
    EXPECT_EQ(framing_violation(header(11, {})), "an HTTP/1.1 request must carry a Host header");
    EXPECT_EQ(framing_violation(header(11, {{"Host", "a"}, {"Host", "a"}})), "more than one Host header");
    EXPECT_EQ(framing_violation(header(11, {{"Host", "x"}, {"Content-Length", "1, 1"}})),
              "Content-Length must be one decimal number");
    EXPECT_EQ(framing_violation(header(11, {{"Host", "x"}, {"Content-Length", "1"}, {"Content-Length", "1"}})),
              "more than one Content-Length header");
    EXPECT_EQ(framing_violation(header(11, {{"Host", "x"}, {"Transfer-Encoding", "chunked, identity"}})),
              "the only Transfer-Encoding accepted is a single chunked");
    EXPECT_EQ(framing_violation(header(10, {{"Transfer-Encoding", "chunked"}})),
              "Transfer-Encoding is defined only for HTTP/1.1");
    EXPECT_EQ(framing_violation(header(11, {{"Host", "x"}, {"Transfer-Encoding", "chunked"}, {"Content-Length", "3"}})),
              "Content-Length and Transfer-Encoding together");
}

TEST(OriginForm, TakesThePathAndQueryOfAnAbsoluteTarget) {
    EXPECT_EQ(origin_form_of("http://h/a/b?c=d"), "/a/b?c=d");
    EXPECT_EQ(origin_form_of("HTTPS://h:8443/a"), "/a");
    EXPECT_EQ(origin_form_of("http://h"), "/");
    EXPECT_EQ(origin_form_of("http://h?q=1"), "/?q=1");
    EXPECT_EQ(origin_form_of("/already/origin"), std::nullopt);
    EXPECT_EQ(origin_form_of("ftp://h/a"), std::nullopt);
}

}  // namespace
}  // namespace wx::http
