#pragma once

#include <memory>

#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/backend.hpp"
#include "store/store_config.hpp"

namespace wx::app {

// The database backend for the configured database (WXLOGIN_DATABASE_URL). Throws
// std::runtime_error (a start-up failure) when it cannot be opened or this build has no backend
// for it.
[[nodiscard]] std::unique_ptr<store::Backend> open_backend(store::DatabaseConfig const& database,
                                                           BlockingPool& pool,
                                                           Clock const& clock);

}  // namespace wx::app
