#pragma once

#include <boost/system/error_category.hpp>

#include "core/task.hpp"

namespace wx::store {

enum class Errc {
    not_found = 1,
    conflict,     // a uniqueness rule refused the write
    busy,         // the database stayed locked past the busy timeout
    unavailable,  // I/O error, disk full, connection lost
    overloaded,   // the blocking pool is full
    internal,
};

[[nodiscard]] boost::system::error_category const& category() noexcept;
[[nodiscard]] inline error_code make_error_code(Errc e) noexcept { return {static_cast<int>(e), category()}; }

}  // namespace wx::store

template <>
struct boost::system::is_error_code_enum<wx::store::Errc> : std::true_type {};
