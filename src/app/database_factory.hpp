#pragma once

#include <memory>

#include "core/blocking_pool.hpp"
#include "core/clock.hpp"
#include "store/backend.hpp"
#include "store/mysql_pool_config.hpp"
#include "store/store_config.hpp"

namespace wx::app {

// The database backend for the configured database (WXLOGIN_DATABASE_URL): SQLite, or MySQL with
// its pool settings (WXLOGIN_DB_*). Throws std::runtime_error (a start-up failure) when it cannot
// be opened, naming where it looked (for MySQL: host, port, database and user, never the password).
[[nodiscard]] std::unique_ptr<store::Backend> open_backend(store::DatabaseConfig const& database,
                                                           store::MysqlPoolConfig const& mysql_pool,
                                                           BlockingPool& pool,
                                                           Clock const& clock);

}  // namespace wx::app
