#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#include "store/errors.hpp"

namespace wx::store {

// Connections of one kind kept open between uses: a lease takes an idle connection, or opens a
// new one, and puts it back when it ends unless it was discarded (broken) or enough are idle.
// The SQLite readers use it; a network backend's pool adds its limits on top.
// Thread safety: lease() may be called concurrently; a Lease belongs to one thread.
template <class Conn>
class IdleConnections {
public:
    using Opener = std::function<result<std::unique_ptr<Conn>>()>;

    IdleConnections(Opener open, std::size_t max_idle) : open_(std::move(open)), max_idle_(max_idle) {}

    class Lease {
    public:
        Lease(IdleConnections& owner, std::unique_ptr<Conn> conn) : owner_(&owner), conn_(std::move(conn)) {}
        Lease(Lease&& other) noexcept : owner_(other.owner_), conn_(std::move(other.conn_)) {}
        Lease& operator=(Lease&&) = delete;
        ~Lease() {
            if (conn_) owner_->give_back(std::move(conn_));
        }
        Conn& operator*() const { return *conn_; }
        Conn* operator->() const { return conn_.get(); }
        // The connection is broken: close it instead of keeping it.
        void discard() { conn_.reset(); }

    private:
        IdleConnections* owner_;
        std::unique_ptr<Conn> conn_;
    };

    result<Lease> lease() {
        {
            std::lock_guard lock{mutex_};
            if (!idle_.empty()) {
                Lease l{*this, std::move(idle_.back())};
                idle_.pop_back();
                return l;
            }
        }
        auto opened = open_();
        if (!opened) return opened.error();
        return Lease{*this, std::move(*opened)};
    }

    [[nodiscard]] std::size_t idle() const {
        std::lock_guard lock{mutex_};
        return idle_.size();
    }

private:
    void give_back(std::unique_ptr<Conn> conn) {
        std::lock_guard lock{mutex_};
        if (idle_.size() < max_idle_) idle_.push_back(std::move(conn));
    }

    Opener open_;
    std::size_t max_idle_;
    mutable std::mutex mutex_;
    std::vector<std::unique_ptr<Conn>> idle_;
};

}  // namespace wx::store
