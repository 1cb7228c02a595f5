#include "http/request_framing.hpp"

#include <boost/beast/core/string.hpp>

#include "http/header_value.hpp"

namespace wx::http {

namespace {

constexpr std::string_view kBlankLine = "\r\n\r\n";

bool is_decimal(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

bool starts_with_scheme(std::string_view target, std::string_view scheme) noexcept {
    return target.size() >= scheme.size() && beast::iequals(target.substr(0, scheme.size()), scheme);
}

}  // namespace

std::size_t header_section_end(std::string_view bytes) noexcept {
    auto at = bytes.find(kBlankLine);
    return at == std::string_view::npos ? std::string_view::npos : at + kBlankLine.size();
}

bool has_obs_fold(std::string_view header_section) noexcept {
    // A line break followed by a space or tab, anywhere before the blank line that ends the
    // section; the request line itself cannot start with whitespace after a CRLF either.
    for (auto at = header_section.find('\n'); at != std::string_view::npos; at = header_section.find('\n', at + 1)) {
        if (at + 1 < header_section.size() && (header_section[at + 1] == ' ' || header_section[at + 1] == '\t'))
            return true;
    }
    return false;
}

std::optional<std::string_view> framing_violation(RequestHeader const& header) {
    std::size_t hosts = 0;
    std::size_t lengths = 0;
    std::size_t encodings = 0;
    std::string_view length;
    std::string_view encoding;
    for (auto const& field : header) {
        switch (field.name()) {
            case bhttp::field::host:
                ++hosts;
                break;
            case bhttp::field::content_length:
                ++lengths;
                length = field.value();
                break;
            case bhttp::field::transfer_encoding:
                ++encodings;
                encoding = field.value();
                break;
            default:
                break;
        }
    }
    if (header.version() == 11 && hosts == 0) return "an HTTP/1.1 request must carry a Host header";
    if (hosts > 1) return "more than one Host header";
    if (lengths > 1) return "more than one Content-Length header";
    if (lengths == 1 && !is_decimal(trim_ows(length))) return "Content-Length must be one decimal number";
    if (encodings > 0) {
        if (header.version() != 11) return "Transfer-Encoding is defined only for HTTP/1.1";
        if (encodings > 1 || !beast::iequals(trim_ows(encoding), "chunked"))
            return "the only Transfer-Encoding accepted is a single chunked";
        if (lengths > 0) return "Content-Length and Transfer-Encoding together";
    }
    return std::nullopt;
}

std::optional<std::string> origin_form_of(std::string_view target) {
    std::string_view rest;
    if (starts_with_scheme(target, "http://"))
        rest = target.substr(7);
    else if (starts_with_scheme(target, "https://"))
        rest = target.substr(8);
    else
        return std::nullopt;
    auto path = rest.find_first_of("/?");
    if (path == std::string_view::npos) return std::string(1, '/');
    std::string origin;
    if (rest[path] == '?') origin.push_back('/');  // "http://host?q" is "/?q"
    origin.append(rest.data() + path, rest.size() - path);
    return origin;
}

}  // namespace wx::http
