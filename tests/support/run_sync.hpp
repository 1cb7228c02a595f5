#pragma once
// Runs a coroutine to completion on a private io_context, for unit tests of coroutine code
// without sockets or threads.

#include "core/sync_wait.hpp"

namespace wx::test {

using wx::sync_wait;

template <class T>
T run_sync(Task<T> task) {
    return sync_wait(std::move(task));
}

inline void run_sync(Task<void> task) { sync_wait(std::move(task)); }

}  // namespace wx::test
