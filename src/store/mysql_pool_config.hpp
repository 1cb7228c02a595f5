#pragma once
// The MySQL/MariaDB backend's connection pool and timeouts, as the configuration parses them
// (WXLOGIN_DB_*; README "Configuration"). Plain data; SQLite ignores it.

#include <chrono>
#include <cstddef>

namespace wx::store {

struct MysqlPoolConfig {
    std::size_t max_size = 10;                           // WXLOGIN_DB_POOL_SIZE: connections, in use or idle
    std::chrono::milliseconds connection_timeout{3000};  // WXLOGIN_DB_POOL_TIMEOUT_MS: wait for one, then 503
    std::chrono::milliseconds idle_timeout{600000};      // WXLOGIN_DB_IDLE_TIMEOUT_MS: an idle one is closed after
    std::chrono::milliseconds max_lifetime{1800000};     // WXLOGIN_DB_MAX_LIFETIME_MS: any one is closed after
    // WXLOGIN_DB_QUERY_TIMEOUT_MS: how long one statement may wait for a row lock (InnoDB's
    // innodb_lock_wait_timeout, whole seconds, then 503); the socket read/write timeout is this
    // plus 2 s, so a dead or frozen server fails a call instead of hanging it.
    std::chrono::milliseconds query_timeout{5000};
};

}  // namespace wx::store
