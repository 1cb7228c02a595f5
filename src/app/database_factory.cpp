#include "app/database_factory.hpp"

#include <stdexcept>
#include <variant>

#include "store/mysql_backend.hpp"
#include "store/sqlite_backend.hpp"

namespace wx::app {
namespace {

struct Opener {
    store::MysqlPoolConfig const& mysql_pool;
    BlockingPool& pool;
    Clock const& clock;

    std::unique_ptr<store::Backend> operator()(store::SqliteConfig const& sqlite) const {
        auto backend = store::SqliteBackend::open(sqlite.path, pool, clock);
        if (!backend)
            throw std::runtime_error("cannot open the SQLite database " + sqlite.path +
                                     "; the log line above says why");
        return std::move(*backend);
    }
    // No instance lock here: several instances sharing one MySQL database is what it is for.
    std::unique_ptr<store::Backend> operator()(store::MysqlConfig const& mysql) const {
        std::string why;
        auto backend = store::MysqlBackend::open(mysql, mysql_pool, pool, clock, &why);
        if (!backend) {
            // Where and as whom, and the client library's reason; never the password.
            std::string const host = mysql.host.find(':') != std::string::npos ? "[" + mysql.host + "]" : mysql.host;
            throw std::runtime_error("WXLOGIN_DATABASE_URL: cannot connect to MySQL at " + host + ":" +
                                     std::to_string(mysql.port) + " (database " + mysql.database + ", user " +
                                     mysql.user + "): " + (why.empty() ? backend.error().message() : why));
        }
        return std::move(*backend);
    }
};

}  // namespace

std::unique_ptr<store::Backend> open_backend(store::DatabaseConfig const& database,
                                             store::MysqlPoolConfig const& mysql_pool,
                                             BlockingPool& pool,
                                             Clock const& clock) {
    return std::visit(Opener{mysql_pool, pool, clock}, database);
}

}  // namespace wx::app
