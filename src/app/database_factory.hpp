#pragma once

#include <memory>
#include <string>

#include "core/blocking_pool.hpp"
#include "store/database.hpp"

namespace wx::app {

// The database backend named by WXLOGIN_DATABASE_URL. Throws std::runtime_error when it cannot
// be opened or the scheme has no backend in this build.
[[nodiscard]] std::unique_ptr<store::Database> open_database(std::string const& url, BlockingPool& pool);

}  // namespace wx::app
