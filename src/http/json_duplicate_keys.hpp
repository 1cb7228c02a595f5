#pragma once
// Finds an object that names one key twice. Boost.JSON keeps the last value of a repeated key;
// another reader of the same body might keep the first, so we refuse such bodies outright.

#include <optional>
#include <string>
#include <string_view>

namespace wx::http {

// The first repeated key (in sorted order within its object) of well-formed JSON text, or nullopt.
// Text that is not well-formed JSON answers nullopt: the caller's parse reports that.
[[nodiscard]] std::optional<std::string> first_duplicate_key(std::string_view json, unsigned max_depth);

}  // namespace wx::http
