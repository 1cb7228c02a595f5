#pragma once
// Runs a coroutine to completion on a private io_context, for unit tests of coroutine code
// without sockets or threads.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <utility>

#include "core/task.hpp"

namespace wx::test {

template <class T>
T run_sync(Task<T> task) {
    asio::io_context ioc;
    std::optional<T> out;
    std::exception_ptr error;
    auto done = [&out, &error](std::exception_ptr e, T value) {
        error = e;
        if (!e) out.emplace(std::move(value));
    };
    asio::co_spawn(ioc, std::move(task), done);
    ioc.run();
    if (error) std::rethrow_exception(error);
    return std::move(*out);
}

inline void run_sync(Task<void> task) {
    asio::io_context ioc;
    std::exception_ptr error;
    auto done = [&error](std::exception_ptr e) { error = e; };
    asio::co_spawn(ioc, std::move(task), done);
    ioc.run();
    if (error) std::rethrow_exception(error);
}

}  // namespace wx::test
