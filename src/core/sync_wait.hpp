#pragma once
// Runs a coroutine to completion on a private io_context in the calling thread: for start-up work
// before the I/O threads run (and for unit tests), never on an I/O thread.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <exception>
#include <optional>
#include <utility>

#include "core/task.hpp"

namespace wx {

template <class T>
T sync_wait(Task<T> task) {
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

inline void sync_wait(Task<void> task) {
    asio::io_context ioc;
    std::exception_ptr error;
    auto done = [&error](std::exception_ptr e) { error = e; };
    asio::co_spawn(ioc, std::move(task), done);
    ioc.run();
    if (error) std::rethrow_exception(error);
}

}  // namespace wx
