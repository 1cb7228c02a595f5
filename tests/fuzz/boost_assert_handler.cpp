// Boost's assertions in the harnesses (BOOST_ENABLE_ASSERT_HANDLER, tests/fuzz/CMakeLists.txt):
// every one is a finding and aborts, like assert() would, except the one below, which is wrong
// about its own precondition and compiled out of our Release builds (NDEBUG) anyway.
//
// Beast 1.81, basic_parser::parse_chunk_header, `BOOST_ASSERT(n >= 5)` on re-entry after the
// final chunk: it assumes the final chunk was preceded by a chunk's CRLF ("\r\n0\r\n"). When the
// body is only "0\r\n" and the trailer section arrives one byte at a time, n is 4 there and the
// assertion fires; the code after it reads within the n bytes it was given (parse_hex stops at
// the CR, find_eol and find_eom are bounded by the end), so the parse goes on correctly. Found by
// tests/fuzz/http_request (input: corpus/http_request/beast_final_chunk_trailer_bytewise). A Debug
// build of the server (the sanitizer build of scripts/test) would abort on such a request.
#include <boost/assert.hpp>
#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace boost {

void assertion_failed(char const* expr, char const* function, char const* file, long line) {
    std::string_view const where{file};
    if (std::string_view{expr} == "n >= 5" && where.ends_with("boost/beast/http/impl/basic_parser.ipp")) return;
    std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed.\n", file, line, function, expr);
    std::abort();
}

void assertion_failed_msg(char const* expr, char const* msg, char const* function, char const* file, long line) {
    std::fprintf(stderr, "%s:%ld: %s: Assertion `%s' failed: %s\n", file, line, function, expr, msg);
    std::abort();
}

}  // namespace boost
