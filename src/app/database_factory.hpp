#pragma once

#include <memory>

#include "core/blocking_pool.hpp"
#include "store/database.hpp"
#include "store/store_config.hpp"

namespace wx::app {

// The database backend for the configured database (WXLOGIN_DATABASE_URL). Throws
// std::runtime_error when it cannot be opened or this build has no backend for it.
[[nodiscard]] std::unique_ptr<store::Database> open_database(store::DatabaseConfig const& database, BlockingPool& pool);

}  // namespace wx::app
