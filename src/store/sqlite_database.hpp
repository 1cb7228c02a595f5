#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/blocking_pool.hpp"
#include "store/database.hpp"
#include "store/sqlite_connection.hpp"

namespace wx::store {

// SQLite backend: one writer connection (writes are serialised, which is what makes
// create-or-get atomic) and a small pool of reader connections, all on the blocking pool.
// Thread safety: all public member functions may be called concurrently.
class SqliteDatabase final : public Database {
public:
    // Opens (creating if needed) the file. Throws std::runtime_error when it cannot.
    SqliteDatabase(std::string path, BlockingPool& pool);

    Task<result<void>> ping() override;
    Task<result<LoginOutcome>> wechat_login(WeChatLogin login) override;
    Task<result<User>> user_by_id(std::int64_t id) override;

    // The synchronous bodies, public for `wxlogin migrate` and tests that run without a pool.
    result<void> migrate_sync() override;
    result<void> ping_sync();
    result<LoginOutcome> wechat_login_sync(WeChatLogin const& login);
    result<User> user_by_id_sync(std::int64_t id);

private:
    class ReaderLease;
    template <class R, class Fn, class... Args>
    Task<result<R>> on_pool(Fn fn, Args... args);
    static result<User> load_user(SqliteConnection& db, std::int64_t id);

    std::string path_;
    BlockingPool& pool_;
    std::mutex writer_mutex_;
    std::unique_ptr<SqliteConnection> writer_;
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;
};

}  // namespace wx::store
