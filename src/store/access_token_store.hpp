#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/task.hpp"

namespace wx::store {

// An app's WeChat access token as stored: never logged.
struct StoredAccessToken {
    std::string token;
    std::int64_t expires_at = 0;  // unix seconds
    std::int64_t refresh_at = 0;  // fetch a new one from this moment on
};

// The WeChat access token of each app, kept where every instance can use it (WeChat allows only
// a few fetches a day, and a fetch may invalidate the token other instances hold), with a claim
// so that one instance at a time fetches a new one.
//
// Failure mode: a miss falls through. A token that cannot be loaded is a token the caller fetches
// from WeChat itself; a claim that cannot be taken (the shared store down) is granted.
// Thread safety: all member functions may be called concurrently.
class AccessTokenStore {
public:
    virtual ~AccessTokenStore() = default;

    virtual Task<std::optional<StoredAccessToken>> load(std::string app_id) = 0;
    virtual Task<void> save(std::string app_id, StoredAccessToken token) = 0;
    // Compare-and-delete: forgets the app's token only while it is still `token`, so that a token
    // someone fetched meanwhile survives a late report about its predecessor. True when it did.
    virtual Task<bool> discard(std::string app_id, std::string token) = 0;
    // The right to fetch the app's next token, held until release_fetch() or for `hold_seconds`
    // at most (a holder that dies must not block the others). False while another holds it.
    virtual Task<bool> claim_fetch(std::string app_id, std::int64_t now, std::int64_t hold_seconds) = 0;
    virtual Task<void> release_fetch(std::string app_id) = 0;
};

}  // namespace wx::store
