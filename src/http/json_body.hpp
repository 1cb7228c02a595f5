#pragma once
// Reading a JSON request body: Content-Type check (415), strict UTF-8, nesting limit, an object at
// the root, then typed field access that collects every validation problem into `details`.

#include <boost/json/object.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/error_envelope.hpp"
#include "http/types.hpp"

namespace wx::http {

inline constexpr unsigned kMaxJsonDepth = 32;

// True for application/json with optional parameters, of which a charset may only be UTF-8.
[[nodiscard]] bool is_json_content_type(std::string_view value);

// The body as a JSON object, or the API error to answer (415 or 400).
[[nodiscard]] result<boost::json::object, ErrorEnvelope> parse_json_object(Request const& req);

// Number of Unicode code points in valid UTF-8 (Boost.JSON has already rejected invalid UTF-8).
[[nodiscard]] std::size_t utf8_length(std::string_view s) noexcept;

// Typed, validating access to the fields of a request object. Each failed check records a
// {field, reason} detail; error() turns them into one 400 invalid_request.
class FieldReader {
public:
    explicit FieldReader(boost::json::object const& obj) : obj_(obj) {}

    // Inclusive bounds on a string's length in Unicode code points: `{.min = 1, .max = 128}`.
    struct Length {
        std::size_t min = 0;
        std::size_t max;
    };

    // A string field that must be present: absent or null records "missing" and answers nullopt.
    std::optional<std::string> required_string(std::string_view field, Length length);
    // A string field that may be absent or null (nullopt, no detail); present, it must be valid.
    std::optional<std::string> optional_string(std::string_view field, Length length);

    void fail(std::string_view field, std::string_view reason) {
        issues_.push_back({std::string{field}, std::string{reason}});
    }
    [[nodiscard]] bool ok() const { return issues_.empty(); }
    [[nodiscard]] ErrorEnvelope error() const;

private:
    enum class Presence { required, optional };
    std::optional<std::string> read_string(std::string_view field, Presence presence, Length length);

    boost::json::object const& obj_;
    std::vector<FieldIssue> issues_;
};

}  // namespace wx::http
