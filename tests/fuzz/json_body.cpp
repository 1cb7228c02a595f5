// A request body through the JSON binding of every POST/PATCH endpoint: parse_json_object (media
// type, UTF-8, depth, object at the root), FieldReader over fixed and fuzz-chosen field names,
// and the error envelope it answers, which must itself be JSON that parses back.
//
// Input: the body; when it starts with a "Content-Type: <value>\n" line, that line is the header
// (so the fuzzer mutates media types too), otherwise the header is application/json.
#include "http/json_body.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/error_envelope.hpp"
#include "http/response.hpp"

namespace {

namespace http = wx::http;
constexpr std::string_view kHeaderLine = "Content-Type: ";

// The envelope as the client sees it: a JSON object with error.code and error.message.
void check_envelope(http::ErrorEnvelope const& error, http::Request const& req) {
    http::RequestContext ctx;
    ctx.request_id = "fuzz";
    http::Response res = http::answer_error(error, req, ctx);
    if (res.result_int() < 400 || res.result_int() > 499) __builtin_trap();
    boost::system::error_code ec;
    auto v = boost::json::parse(res.body(), ec);
    if (ec || !v.is_object() || !v.at("error").at("code").is_string()) __builtin_trap();
}

void check_length(std::optional<std::string> const& s, http::FieldReader::Length length) {
    if (!s) return;
    auto n = http::utf8_length(*s);
    if (n < length.min || n > length.max) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(std::uint8_t const* data, std::size_t size) {
    std::string_view in{reinterpret_cast<char const*>(data), size};
    http::Request req{http::verb::post, "/api/v1/auth/login", 11};
    std::string_view content_type = "application/json";
    if (in.starts_with(kHeaderLine)) {
        auto eol = in.find('\n');
        if (eol == std::string_view::npos) return 0;
        content_type = in.substr(kHeaderLine.size(), eol - kHeaderLine.size());
        in.remove_prefix(eol + 1);
    }
    // Beast would refuse a header value with CR, LF or NUL in it before any handler saw it.
    if (content_type.find_first_of(std::string_view{"\r\n\0", 3}) != std::string_view::npos) return 0;
    req.set(http::bhttp::field::content_type, content_type);
    req.body() = std::string{in};
    req.prepare_payload();

    auto obj = http::parse_json_object(req);
    if (!obj) {
        check_envelope(obj.error(), req);
        return 0;
    }
    http::FieldReader fields{*obj};
    constexpr http::FieldReader::Length kCode{.min = 1, .max = 128};
    constexpr http::FieldReader::Length kName{.min = 0, .max = 32};
    check_length(fields.required_string("code", kCode), kCode);
    check_length(fields.optional_string("nickname", kName), kName);
    std::size_t seen = 0;
    for (auto const& field : *obj) {
        if (++seen > 64) break;
        check_length(fields.optional_string(field.key(), kName), kName);
    }
    if (!fields.ok()) check_envelope(fields.error(), req);
    return 0;
}
