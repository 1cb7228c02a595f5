#pragma once
// A request's query string, decoded: key/value pairs in the order sent.

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/task.hpp"

namespace wx::http {

// Why a query string was refused (400 invalid_request).
enum class QueryProblem { bad_percent_encoding = 1, not_utf8 };

[[nodiscard]] std::string_view describe(QueryProblem problem) noexcept;

// The query part of a request target: after the first '?', before any '#'; empty when none.
[[nodiscard]] std::string_view query_of(std::string_view target) noexcept;

// Decoded as application/x-www-form-urlencoded (the WHATWG URLSearchParams rules) except that
// an invalid %-escape or text that is not UTF-8 refuses the whole query instead of passing
// through: pairs are split on '&' (empty pieces skipped) and at the first '='; a piece without
// '=' is a key with the value ""; '+' is a space (send a literal '+' as %2B); keys are
// case-sensitive; duplicates are kept in order.
// Thread safety: immutable after parse().
class QueryParams {
public:
    struct Item {
        std::string key;
        std::string value;
    };

    [[nodiscard]] static result<QueryParams, QueryProblem> parse(std::string_view query);

    // The first value of `key`, or nullopt when it is absent ("" when sent without a value).
    [[nodiscard]] std::optional<std::string_view> find(std::string_view key) const noexcept;
    // How often `key` was sent: a handler that wants one value can refuse duplicates.
    [[nodiscard]] std::size_t count(std::string_view key) const noexcept;
    [[nodiscard]] std::vector<std::string_view> all(std::string_view key) const;
    [[nodiscard]] std::span<Item const> items() const noexcept { return items_; }
    [[nodiscard]] bool empty() const noexcept { return items_.empty(); }

private:
    std::vector<Item> items_;
};

}  // namespace wx::http
