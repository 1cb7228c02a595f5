#include "app/database_factory.hpp"

#include <stdexcept>

#include "store/sqlite_database.hpp"

namespace wx::app {

std::unique_ptr<store::Database> open_database(std::string const& url, BlockingPool& pool) {
    constexpr std::string_view kSqlite = "sqlite://";
    if (url.rfind(kSqlite, 0) == 0) return std::make_unique<store::SqliteDatabase>(url.substr(kSqlite.size()), pool);
    throw std::runtime_error("WXLOGIN_DATABASE_URL: mysql:// is not supported by this build yet; use sqlite://");
}

}  // namespace wx::app
