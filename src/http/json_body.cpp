#include "http/json_body.hpp"

#include <boost/beast/core/string.hpp>
#include <boost/beast/http/field.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include "http/header_value.hpp"
#include "http/json_duplicate_keys.hpp"
#include "http/transport_errors.hpp"

namespace wx::http {

namespace {

// A `charset` parameter, if any, names UTF-8 (RFC 8259 §8.1: JSON exchanged between systems is
// UTF-8). A body declared as another charset would be read differently by whoever honours it.
bool charset_is_utf8(std::string_view parameters) noexcept {
    while (!parameters.empty()) {
        auto semi = parameters.find(';');
        std::string_view param = trim_ows(parameters.substr(0, semi));
        parameters = semi == std::string_view::npos ? std::string_view{} : parameters.substr(semi + 1);
        auto eq = param.find('=');
        if (eq == std::string_view::npos || !beast::iequals(trim_ows(param.substr(0, eq)), "charset")) continue;
        std::string_view value = trim_ows(param.substr(eq + 1));
        if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
        if (!beast::iequals(value, "utf-8")) return false;
    }
    return true;
}

}  // namespace

bool is_json_content_type(std::string_view value) {
    auto semi = value.find(';');
    if (!beast::iequals(trim_ows(value.substr(0, semi)), "application/json")) return false;
    return semi == std::string_view::npos || charset_is_utf8(value.substr(semi + 1));
}

result<boost::json::object, ErrorEnvelope> parse_json_object(Request const& req) {
    auto ct = req.find(bhttp::field::content_type);
    bool const has_body = !req.body().empty();
    if (has_body && (ct == req.end() || !is_json_content_type(ct->value()))) return unsupported_media_type_error();
    if (!has_body) return invalid_request_error("a JSON object body is required");

    boost::json::parse_options opts;
    opts.max_depth = kMaxJsonDepth;
    error_code ec;
    boost::json::value v = boost::json::parse(req.body(), ec, {}, opts);
    if (ec) {
        if (ec == boost::json::error::too_deep)
            return invalid_request_error("the JSON body nests deeper than 32 levels");
        // Boost.JSON rejects invalid UTF-8 inside strings as a syntax error.
        return invalid_request_error("the body is not valid UTF-8 JSON: " + ec.message());
    }
    if (!v.is_object()) return invalid_request_error("the JSON body must be an object");
    if (auto twice = first_duplicate_key(req.body(), kMaxJsonDepth))
        return invalid_request_error("the JSON body names a key twice", {{std::move(*twice), "duplicate_key"}});
    return std::move(v.as_object());
}

std::size_t utf8_length(std::string_view s) noexcept {
    std::size_t n = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) ++n;
    return n;
}

std::optional<std::string> FieldReader::required_string(std::string_view field, Length length) {
    return read_string(field, Presence::required, length);
}

std::optional<std::string> FieldReader::optional_string(std::string_view field, Length length) {
    return read_string(field, Presence::optional, length);
}

std::optional<std::string> FieldReader::read_string(std::string_view field, Presence presence, Length length) {
    auto const* v = obj_.if_contains(field);
    if (!v || v->is_null()) {
        if (presence == Presence::required) fail(field, "missing");
        return std::nullopt;
    }
    if (!v->is_string()) {
        fail(field, "not_a_string");
        return std::nullopt;
    }
    std::string_view s = v->get_string();
    std::size_t len = utf8_length(s);
    if (len < length.min) {
        fail(field, s.empty() ? "empty" : "too_short");
        return std::nullopt;
    }
    if (len > length.max) {
        fail(field, "too_long");
        return std::nullopt;
    }
    return std::string{s};
}

ErrorEnvelope FieldReader::error() const { return invalid_request_error("the request has invalid fields", issues_); }

}  // namespace wx::http
