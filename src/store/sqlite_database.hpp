#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/blocking_pool.hpp"
#include "store/database.hpp"
#include "store/sqlite_connection.hpp"

namespace wx::store {

// SQLite backend: one writer connection (writes are serialised, which is what makes
// create-or-get atomic) and a small pool of reader connections on the blocking pool. Logins are
// group-committed: a committer thread takes every login queued at that moment (up to 64) into one
// transaction, one savepoint each, so a burst costs one WAL append instead of one per login.
// Thread safety: all public member functions may be called concurrently.
class SqliteDatabase final : public Database {
public:
    // Opens (creating if needed) the file. Throws std::runtime_error when it cannot, or when
    // another process already has it open through this class (see instance_lock_).
    SqliteDatabase(std::string path, BlockingPool& pool);
    SqliteDatabase(SqliteDatabase const&) = delete;
    SqliteDatabase& operator=(SqliteDatabase const&) = delete;
    ~SqliteDatabase() override;

    Task<result<void>> ping() override;
    Task<result<LoginOutcome>> wechat_login(WeChatLogin login) override;
    Task<result<User>> user_by_id(std::int64_t id) override;
    Task<result<RefreshOutcome>> refresh(Rotation rotation) override;
    Task<result<std::vector<RevokedSession>>> revoke_session(std::int64_t user_id,
                                                             std::string session_id,
                                                             std::int64_t now) override;
    Task<result<std::vector<RevokedSession>>> revoke_all_sessions(std::int64_t user_id, std::int64_t now) override;
    result<std::vector<RevokedSession>> revoked_sessions_sync(std::int64_t now) override;
    Task<result<User>> update_profile(std::int64_t user_id, ProfileChange change) override;
    Task<result<RegisterOutcome>> register_user(NewPasswordUser user) override;
    Task<result<std::optional<StoredCredentials>>> credentials(std::string key, bool by_email) override;
    Task<result<User>> start_session(std::int64_t user_id, NewSession session) override;
    Task<result<void>> set_password_hash(std::int64_t user_id, std::string hash, std::int64_t now) override;
    Task<result<BindOutcome>> bind_wechat(std::int64_t user_id,
                                          WeChatIdentity identity,
                                          std::vector<unsigned char> session_key_sealed,
                                          std::int64_t now) override;
    Task<result<std::optional<std::vector<unsigned char>>>> sealed_session_key(std::int64_t user_id,
                                                                               std::string app_id) override;
    Task<result<User>> set_phone(std::int64_t user_id, std::string phone, std::int64_t now) override;

    // The synchronous bodies, public for `wxlogin migrate` and tests that run without a pool.
    result<void> migrate_sync() override;
    result<void> ping_sync();
    result<User> user_by_id_sync(std::int64_t id);
    result<RefreshOutcome> refresh_sync(Rotation const& rotation);
    result<std::vector<RevokedSession>> revoke_session_sync(std::int64_t user_id,
                                                            std::string const& session_id,
                                                            std::int64_t now);
    result<std::vector<RevokedSession>> revoke_all_sessions_sync(std::int64_t user_id, std::int64_t now);
    result<User> update_profile_sync(std::int64_t user_id, ProfileChange const& change);
    result<RegisterOutcome> register_user_sync(NewPasswordUser const& user);
    result<std::optional<StoredCredentials>> credentials_sync(std::string const& key, bool by_email);
    result<User> start_session_sync(std::int64_t user_id, NewSession const& session);
    result<void> set_password_hash_sync(std::int64_t user_id, std::string const& hash, std::int64_t now);
    result<BindOutcome> bind_wechat_sync(std::int64_t user_id,
                                         WeChatIdentity const& identity,
                                         std::vector<unsigned char> const& sealed,
                                         std::int64_t now);
    result<std::optional<std::vector<unsigned char>>> sealed_session_key_sync(std::int64_t user_id,
                                                                              std::string const& app_id);
    result<User> set_phone_sync(std::int64_t user_id, std::string const& phone, std::int64_t now);

private:
    class ReaderLease;
    struct PendingLogin {
        WeChatLogin login;
        std::function<void(result<LoginOutcome>)> done;
    };
    static constexpr std::size_t kMaxBatch = 64;
    static constexpr std::size_t kMaxQueued = 4096;

    template <class Token>
    auto async_login(WeChatLogin login, Token token);
    void enqueue(WeChatLogin login, std::function<void(result<LoginOutcome>)> done);
    void commit_loop();
    std::vector<result<LoginOutcome>> commit_batch(std::vector<PendingLogin> const& batch);
    static result<LoginOutcome> wechat_login_body(SqliteConnection& db, WeChatLogin const& login);
    template <class R, class Fn, class... Args>
    Task<result<R>> on_pool(Fn fn, Args... args);
    static result<User> load_user(SqliteConnection& db, std::int64_t id);
    static result<void> insert_session(SqliteConnection& db, std::int64_t user_id, NewSession const& s);
    static result<RefreshOutcome> refresh_body(SqliteConnection& db, Rotation const& rotation);
    static result<std::vector<RevokedSession>> collect_revoked(SqliteConnection& db, Statement& st);

    std::string path_;
    // An exclusive flock on PATH.lock for the life of this object: revocations and the user cache
    // live in this process's memory, so a second process on the same file would not see this
    // one's logouts. Several instances need a shared store (MySQL + Redis), not a shared file.
    int instance_lock_ = -1;
    BlockingPool& pool_;
    std::mutex writer_mutex_;
    std::unique_ptr<SqliteConnection> writer_;
    std::mutex readers_mutex_;
    std::vector<std::unique_ptr<SqliteConnection>> idle_readers_;
    std::mutex queue_mutex_;
    std::condition_variable queue_cv_;
    std::deque<PendingLogin> queue_;
    bool stopping_ = false;
    std::thread committer_;  // last: started once everything above exists
};

}  // namespace wx::store
