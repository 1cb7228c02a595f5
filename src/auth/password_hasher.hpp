#pragma once
// Password hashing: Argon2id through libsodium, on a dedicated bounded pool so a login flood costs
// 503s instead of I/O threads or unbounded memory.

#include <atomic>
#include <boost/system/error_category.hpp>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/blocking_pool.hpp"
#include "core/task.hpp"

namespace wx::auth {

enum class PasswordErrc {
    overloaded = 1,  // the hashing pool is full: answer 503 overloaded with Retry-After
};
[[nodiscard]] boost::system::error_category const& password_category() noexcept;
[[nodiscard]] inline error_code make_error_code(PasswordErrc e) noexcept {
    return {static_cast<int>(e), password_category()};
}

struct PasswordHasherConfig {
    // Argon2id passes and memory. OWASP's floor is 2 passes at 19 MiB; on the 2-core target box
    // 2 passes at 32 MiB measured 51-59 ms per hash when idle (19 MiB: 30-35 ms; 46 MiB: 70-75 ms),
    // inside the 30-80 ms budget, and 110-130 ms with the box busy compiling. Both travel in each
    // stored hash, so raising them later upgrades users on their next successful login
    // (VerifyOutcome::needs_rehash).
    std::uint64_t opslimit = 2;
    std::size_t memlimit = std::size_t{32} << 20;
    // Hashing threads; 0: one per core. Peak hashing memory is threads x memlimit.
    std::size_t threads = 0;
    // Hashes queued or running, per thread, before hash()/verify() answer "overloaded". 4 lets a
    // queued request wait at most about 3 hash times (~170 ms here) before it starts; 0 refuses all.
    std::size_t capacity_per_thread = 4;
};

struct VerifyOutcome {
    bool match = false;
    bool needs_rehash = false;  // only ever true with match: store a fresh hash(password)
};

// Hashes and verifies passwords; every call costs exactly one Argon2id computation, including the
// unknown-user and unreadable-hash paths, so response time does not reveal which one was taken.
// Passwords are wiped after use and neither they nor hashes are ever logged.
// Thread safety: all member functions may be called concurrently.
class PasswordHasher {
public:
    // Computes the dummy hash (one Argon2id run) and starts the pool. Throws std::invalid_argument
    // for parameters libsodium refuses, std::runtime_error if libsodium cannot start.
    explicit PasswordHasher(PasswordHasherConfig config);
    PasswordHasher(PasswordHasher const&) = delete;
    PasswordHasher& operator=(PasswordHasher const&) = delete;
    ~PasswordHasher();

    // The encoded hash ("$argon2id$v=19$m=...,t=...,p=1$salt$hash") to store, or
    // PasswordErrc::overloaded when the pool is full. Throws std::runtime_error if Argon2 cannot
    // allocate its memory (like bad_alloc: caught at the pipeline edge).
    [[nodiscard]] Task<result<std::string>> hash(std::string password);

    // Checks `password` against `stored_hash`. With no stored hash (unknown user), or one that is not
    // a readable Argon2 string, it verifies against the dummy hash instead and answers match=false,
    // at the same cost. PasswordErrc::overloaded when the pool is full.
    [[nodiscard]] Task<result<VerifyOutcome>> verify(std::string password, std::optional<std::string> stored_hash);

    // Argon2id computations run through hash()/verify() (not the constructor's dummy): lets tests
    // assert that each login path paid exactly one.
    [[nodiscard]] std::uint64_t operations() const { return operations_.load(std::memory_order_relaxed); }
    // For metrics: in_flight(), capacity(), rejected().
    [[nodiscard]] BlockingPool const& pool() const { return pool_; }
    [[nodiscard]] PasswordHasherConfig const& config() const { return config_; }

private:
    std::string hash_blocking(std::string_view password);
    VerifyOutcome verify_blocking(std::string_view password, std::string const* stored_hash);

    PasswordHasherConfig config_;
    std::string dummy_hash_;
    std::atomic<std::uint64_t> operations_{0};
    BlockingPool pool_;  // last: its destructor joins the threads before the members they use go
};

}  // namespace wx::auth

template <>
struct boost::system::is_error_code_enum<wx::auth::PasswordErrc> : std::true_type {};
