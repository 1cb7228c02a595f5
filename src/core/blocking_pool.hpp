#pragma once

#include <atomic>
#include <boost/asio/async_result.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "core/task.hpp"

namespace wx {

// A bounded pool for blocking C calls (SQLite, MariaDB, hiredis, Argon2), so they never run on
// an I/O thread. When `capacity` calls are already queued or running, run() answers nullopt at
// once instead of queueing without bound; callers turn that into 503 overloaded.
// Thread safety: all member functions may be called concurrently.
class BlockingPool {
public:
    BlockingPool(std::string name, std::size_t threads, std::size_t capacity)
        : name_(std::move(name)), pool_(threads), capacity_(capacity) {}
    BlockingPool(BlockingPool const&) = delete;
    BlockingPool& operator=(BlockingPool const&) = delete;
    ~BlockingPool() { stop(); }

    // Runs fn(args...) on the pool and resumes the caller on its own executor with the result.
    // Pass a member-function pointer and arguments, or a *named* callable: g++ 12 miscompiles a
    // lambda written inside a co_await expression.
    template <class Fn, class... Args, class R = std::invoke_result_t<Fn&, Args&...>>
    Task<std::optional<R>> run(Fn fn, Args... args) {
        if (in_flight_.fetch_add(1, std::memory_order_acq_rel) >= capacity_) {
            in_flight_.fetch_sub(1, std::memory_order_acq_rel);
            rejected_.fetch_add(1, std::memory_order_relaxed);
            co_return std::nullopt;
        }
        Work<R> work{this,
                     [fn = std::move(fn), ... args = std::move(args)]() mutable { return std::invoke(fn, args...); }};
        std::optional<R> r = co_await async_run(std::move(work), use_task);
        co_return r;
    }

    void stop() {
        pool_.stop();
        pool_.join();
    }

    [[nodiscard]] std::size_t in_flight() const { return in_flight_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::size_t capacity() const { return capacity_; }
    [[nodiscard]] std::size_t rejected() const { return rejected_.load(std::memory_order_relaxed); }
    [[nodiscard]] std::string const& name() const { return name_; }

private:
    template <class R>
    struct Work {
        BlockingPool* pool;
        std::function<R()> fn;
    };

    template <class R, class Token>
    auto async_run(Work<R> work, Token token) {
        // An exception thrown by the work is carried back and rethrown in the caller's coroutine.
        return asio::async_initiate<Token, void(std::exception_ptr, std::optional<R>)>(
            [](auto handler, Work<R> w) {
                auto home = asio::get_associated_executor(handler);
                auto guard = asio::prefer(home, asio::execution::outstanding_work.tracked);
                auto* self = w.pool;
                asio::post(self->pool_,
                           [self, w = std::move(w), handler = std::move(handler), guard = std::move(guard)]() mutable {
                               std::exception_ptr error;
                               std::optional<R> r;
                               try {
                                   r.emplace(w.fn());
                               } catch (...) {
                                   error = std::current_exception();
                               }
                               self->in_flight_.fetch_sub(1, std::memory_order_acq_rel);
                               auto resume = [handler = std::move(handler), error, r = std::move(r)]() mutable {
                                   std::move(handler)(error, std::move(r));
                               };
                               asio::post(guard, std::move(resume));
                           });
            },
            token, std::move(work));
    }

    std::string name_;
    asio::thread_pool pool_;
    std::size_t capacity_;
    std::atomic<std::size_t> in_flight_{0};
    std::atomic<std::size_t> rejected_{0};
};

}  // namespace wx
