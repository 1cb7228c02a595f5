#include "http/query.hpp"

#include "http/percent_decoding.hpp"

namespace wx::http {

std::string_view describe(QueryProblem problem) noexcept {
    switch (problem) {
        case QueryProblem::bad_percent_encoding:
            return "the query string has an invalid percent-encoding";
        case QueryProblem::not_utf8:
            return "the query string is not valid UTF-8";
    }
    return "the query string is invalid";
}

std::string_view query_of(std::string_view target) noexcept {
    auto q = target.find_first_of("?#");
    if (q == std::string_view::npos || target[q] == '#') return {};  // a '?' inside the fragment is not a query
    std::string_view rest = target.substr(q + 1);
    return rest.substr(0, rest.find('#'));
}

result<QueryParams, QueryProblem> QueryParams::parse(std::string_view query) {
    QueryParams out;
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view piece = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        if (piece.empty()) continue;
        auto eq = piece.find('=');
        std::string_view raw_key = piece.substr(0, eq);
        std::string_view raw_value = eq == std::string_view::npos ? std::string_view{} : piece.substr(eq + 1);
        auto key = percent_decode(raw_key, Plus::space);
        auto value = percent_decode(raw_value, Plus::space);
        if (!key || !value) return QueryProblem::bad_percent_encoding;
        if (!is_valid_utf8(*key) || !is_valid_utf8(*value)) return QueryProblem::not_utf8;
        out.items_.push_back({std::move(*key), std::move(*value)});
    }
    return out;
}

std::optional<std::string_view> QueryParams::find(std::string_view key) const noexcept {
    for (auto const& item : items_)
        if (item.key == key) return std::string_view{item.value};
    return std::nullopt;
}

std::size_t QueryParams::count(std::string_view key) const noexcept {
    std::size_t n = 0;
    for (auto const& item : items_)
        if (item.key == key) ++n;
    return n;
}

std::vector<std::string_view> QueryParams::all(std::string_view key) const {
    std::vector<std::string_view> out;
    for (auto const& item : items_)
        if (item.key == key) out.push_back(item.value);
    return out;
}

}  // namespace wx::http
