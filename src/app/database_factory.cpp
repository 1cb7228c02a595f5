#include "app/database_factory.hpp"

#include <stdexcept>
#include <variant>

#include "store/sqlite_database.hpp"

namespace wx::app {

namespace {

struct Opener {
    BlockingPool& pool;

    std::unique_ptr<store::Database> operator()(store::SqliteConfig const& sqlite) const {
        return std::make_unique<store::SqliteDatabase>(sqlite.path, pool);
    }
    std::unique_ptr<store::Database> operator()(store::MysqlConfig const&) const {
        throw std::runtime_error("WXLOGIN_DATABASE_URL: mysql:// is not supported by this build yet; use sqlite://");
    }
};

}  // namespace

std::unique_ptr<store::Database> open_database(store::DatabaseConfig const& database, BlockingPool& pool) {
    return std::visit(Opener{pool}, database);
}

}  // namespace wx::app
