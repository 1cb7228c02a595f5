#pragma once

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <cstddef>
#include <memory>
#include <thread>
#include <vector>

namespace wx {

// One single-threaded io_context per I/O thread: a connection lives on one context for its whole
// life, so its coroutine needs no strand and touches no lock on the hot path.
// Thread safety: next() may be called concurrently; start/stop from the owning thread only.
class IoPool {
public:
    explicit IoPool(std::size_t threads) {
        if (threads == 0) threads = 1;
        for (std::size_t i = 0; i < threads; ++i) {
            contexts_.push_back(std::make_unique<boost::asio::io_context>(1));
            guards_.emplace_back(contexts_.back()->get_executor());
        }
    }
    IoPool(IoPool const&) = delete;
    IoPool& operator=(IoPool const&) = delete;
    ~IoPool() { stop(); }

    void start() {
        for (auto& ctx : contexts_) threads_.emplace_back([c = ctx.get()] { c->run(); });
    }
    void stop() {
        guards_.clear();
        for (auto& ctx : contexts_) ctx->stop();
        for (auto& t : threads_)
            if (t.joinable()) t.join();
        threads_.clear();
    }

    boost::asio::io_context& next() {
        return *contexts_[next_.fetch_add(1, std::memory_order_relaxed) % contexts_.size()];
    }
    boost::asio::io_context& first() { return *contexts_.front(); }
    [[nodiscard]] std::size_t size() const { return contexts_.size(); }

private:
    std::vector<std::unique_ptr<boost::asio::io_context>> contexts_;
    std::vector<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> guards_;
    std::vector<std::thread> threads_;
    std::atomic<std::size_t> next_{0};
};

}  // namespace wx
