#include "app/database_factory.hpp"

#include <stdexcept>

#include "store/sqlite_backend.hpp"

namespace wx::app {

std::unique_ptr<store::Backend> open_backend(std::string const& url, BlockingPool& pool, Clock const& clock) {
    constexpr std::string_view kSqlite = "sqlite://";
    if (url.rfind(kSqlite, 0) != 0)
        throw std::runtime_error("WXLOGIN_DATABASE_URL: mysql:// is not supported by this build yet; use sqlite://");
    std::string path = url.substr(kSqlite.size());
    auto backend = store::SqliteBackend::open(path, pool, clock);
    if (!backend) throw std::runtime_error("cannot open the SQLite database " + path + "; the log line above says why");
    return std::move(*backend);
}

}  // namespace wx::app
