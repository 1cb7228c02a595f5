#pragma once

#include <memory>
#include <string>

#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/backend.hpp"

namespace wx::app {

// The database backend named by WXLOGIN_DATABASE_URL. Throws std::runtime_error (a start-up
// failure) when it cannot be opened or the scheme has no backend in this build.
[[nodiscard]] std::unique_ptr<store::Backend> open_backend(std::string const& url,
                                                           BlockingPool& pool,
                                                           Clock const& clock);

}  // namespace wx::app
