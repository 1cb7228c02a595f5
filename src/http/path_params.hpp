#pragma once
// The parameters a route template matched ("/api/v1/admin/users/{id:int}"), typed by the template.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wx::http {

// Filled by the router before the route's middleware runs. Asking for a name the route's template
// does not have, or integer() for a string parameter, is a bug: std::logic_error (500 through the
// ErrorGuard), never a client error: a value that did not parse has already answered 404.
// Thread safety: per request.
class PathParams {
public:
    // `name` must outlive the request (it points into the router's template).
    void add_integer(std::string_view name, std::string text, std::int64_t value);
    void add_text(std::string_view name, std::string text);
    void clear() noexcept { params_.clear(); }

    // A `{name:int}` parameter: a positive 64-bit integer.
    [[nodiscard]] std::int64_t integer(std::string_view name) const;
    // Any parameter as text, percent-decoded (an integer as it was sent).
    [[nodiscard]] std::string_view text(std::string_view name) const;
    [[nodiscard]] std::size_t size() const noexcept { return params_.size(); }

private:
    struct Param {
        std::string_view name;
        std::string text;
        std::int64_t value = 0;
        bool is_integer = false;
    };
    [[nodiscard]] Param const& get(std::string_view name) const;

    std::vector<Param> params_;
};

}  // namespace wx::http
