#pragma once

#include <cstddef>

namespace wx::store {

// A connection pool's figures at one moment (ConnectionPool::stats, for tests and /metrics).
struct PoolStats {
    std::size_t in_use = 0;   // leased out or being opened
    std::size_t idle = 0;     // open, waiting for a caller
    std::size_t waiting = 0;  // callers waiting for a connection
    std::size_t opened = 0;   // connections opened since the pool started
    std::size_t closed = 0;   // connections closed since: expired, broken or failing validation
};

}  // namespace wx::store
