#include "app/database_factory.hpp"

#include <stdexcept>
#include <variant>

#include "store/sqlite_backend.hpp"

namespace wx::app {
namespace {

struct Opener {
    BlockingPool& pool;
    Clock const& clock;

    std::unique_ptr<store::Backend> operator()(store::SqliteConfig const& sqlite) const {
        auto backend = store::SqliteBackend::open(sqlite.path, pool, clock);
        if (!backend)
            throw std::runtime_error("cannot open the SQLite database " + sqlite.path +
                                     "; the log line above says why");
        return std::move(*backend);
    }
    std::unique_ptr<store::Backend> operator()(store::MysqlConfig const&) const {
        throw std::runtime_error("WXLOGIN_DATABASE_URL: mysql:// is not supported by this build yet; use sqlite://");
    }
};

}  // namespace

std::unique_ptr<store::Backend> open_backend(store::DatabaseConfig const& database,
                                             BlockingPool& pool,
                                             Clock const& clock) {
    return std::visit(Opener{pool, clock}, database);
}

}  // namespace wx::app
