#include "auth/password_hasher.hpp"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>

namespace wx::auth {
namespace {

// Zeroes a password buffer however the coroutine leaves (result, overload, exception). Bytes the
// caller's string held before it was moved in are the caller's to wipe.
class WipeOnExit {
public:
    explicit WipeOnExit(std::string& secret) : secret_(secret) {}
    WipeOnExit(WipeOnExit const&) = delete;
    WipeOnExit& operator=(WipeOnExit const&) = delete;
    ~WipeOnExit() {
        if (!secret_.empty()) sodium_memzero(secret_.data(), secret_.size());
        secret_.clear();
    }

private:
    std::string& secret_;
};

PasswordHasherConfig resolved(PasswordHasherConfig config) {
    if (config.opslimit < crypto_pwhash_OPSLIMIT_MIN || config.opslimit > crypto_pwhash_OPSLIMIT_MAX) {
        throw std::invalid_argument("password hasher: opslimit must be between " +
                                    std::to_string(crypto_pwhash_OPSLIMIT_MIN) + " and " +
                                    std::to_string(crypto_pwhash_OPSLIMIT_MAX));
    }
    if (config.memlimit < crypto_pwhash_MEMLIMIT_MIN || config.memlimit > crypto_pwhash_MEMLIMIT_MAX) {
        throw std::invalid_argument("password hasher: memlimit must be between " +
                                    std::to_string(crypto_pwhash_MEMLIMIT_MIN) + " and " +
                                    std::to_string(crypto_pwhash_MEMLIMIT_MAX) + " bytes");
    }
    if (config.threads == 0) config.threads = std::max(1U, std::thread::hardware_concurrency());
    return config;
}

std::string argon2id(std::string_view password, std::uint64_t opslimit, std::size_t memlimit) {
    std::array<char, crypto_pwhash_STRBYTES> out{};
    if (crypto_pwhash_str(out.data(), password.data(), password.size(), opslimit, memlimit) != 0) {
        throw std::runtime_error("password hasher: Argon2id could not allocate its memory");
    }
    return std::string(out.data());
}

// A hash libsodium can parse (Argon2id, or Argon2i which it verifies and flags for rehash).
// Anything else, a corrupt row for instance, is verified against the dummy so it costs the same.
bool readable(std::string const& stored, PasswordHasherConfig const& config) {
    return stored.size() < crypto_pwhash_STRBYTES && stored.find('\0') == std::string::npos &&
           crypto_pwhash_str_needs_rehash(stored.c_str(), config.opslimit, config.memlimit) != -1;
}

std::string dummy_hash(PasswordHasherConfig const& config) {
    // A random password nobody knows; its hash only exists to be verified against.
    std::array<char, 32> secret{};
    randombytes_buf(secret.data(), secret.size());
    std::string h = argon2id(std::string_view(secret.data(), secret.size()), config.opslimit, config.memlimit);
    sodium_memzero(secret.data(), secret.size());
    return h;
}

int init_sodium() {
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    return 0;
}

class PasswordCategory final : public boost::system::error_category {
public:
    char const* name() const noexcept override { return "password"; }
    std::string message(int ev) const override {
        switch (static_cast<PasswordErrc>(ev)) {
            case PasswordErrc::overloaded:
                return "password hashing pool is full";
        }
        return "unknown password hashing error";
    }
};

}  // namespace

boost::system::error_category const& password_category() noexcept {
    static PasswordCategory const c;
    return c;
}

PasswordHasher::PasswordHasher(PasswordHasherConfig config)
    : config_((init_sodium(), resolved(config))),
      dummy_hash_(dummy_hash(config_)),
      pool_("password", config_.threads, config_.threads * config_.capacity_per_thread) {}

PasswordHasher::~PasswordHasher() = default;

// Both pass the pool a view of the password in this coroutine's frame, which outlives the pool
// call, so the password is never copied again.
Task<result<std::string>> PasswordHasher::hash(std::string password) {
    WipeOnExit const wipe{password};
    std::string_view const view = password;
    std::optional<std::string> h = co_await pool_.run(&PasswordHasher::hash_blocking, this, view);
    if (!h) co_return make_error_code(PasswordErrc::overloaded);
    co_return std::move(*h);
}

Task<result<VerifyOutcome>> PasswordHasher::verify(std::string password, std::optional<std::string> stored_hash) {
    WipeOnExit const wipe{password};
    std::string_view const view = password;
    std::string const* const stored = stored_hash ? &*stored_hash : nullptr;
    std::optional<VerifyOutcome> outcome = co_await pool_.run(&PasswordHasher::verify_blocking, this, view, stored);
    if (!outcome) co_return make_error_code(PasswordErrc::overloaded);
    co_return *outcome;
}

std::string PasswordHasher::hash_blocking(std::string_view password) {
    operations_.fetch_add(1, std::memory_order_relaxed);
    return argon2id(password, config_.opslimit, config_.memlimit);
}

VerifyOutcome PasswordHasher::verify_blocking(std::string_view password, std::string const* stored_hash) {
    bool const real = stored_hash != nullptr && readable(*stored_hash, config_);
    std::string const& target = real ? *stored_hash : dummy_hash_;
    operations_.fetch_add(1, std::memory_order_relaxed);
    bool const ok = crypto_pwhash_str_verify(target.c_str(), password.data(), password.size()) == 0;
    VerifyOutcome out;
    out.match = real && ok;
    out.needs_rehash =
        out.match && crypto_pwhash_str_needs_rehash(target.c_str(), config_.opslimit, config_.memlimit) != 0;
    return out;
}

}  // namespace wx::auth
