#pragma once

#include <map>
#include <mutex>
#include <string>

#include "store/access_token_store.hpp"

namespace wx::store {

// The single-instance AccessTokenStore: a map in memory. Two caches over one of these behave as
// two instances sharing a store, which is how the claim is tested.
// Thread safety: all member functions may be called concurrently (one mutex).
class InProcessAccessTokenStore final : public AccessTokenStore {
public:
    Task<std::optional<StoredAccessToken>> load(std::string app_id) override;
    Task<void> save(std::string app_id, StoredAccessToken token) override;
    Task<bool> discard(std::string app_id, std::string token) override;
    Task<bool> claim_fetch(std::string app_id, std::int64_t now, std::int64_t hold_seconds) override;
    Task<void> release_fetch(std::string app_id) override;

private:
    std::mutex mutex_;
    std::map<std::string, StoredAccessToken, std::less<>> tokens_;
    std::map<std::string, std::int64_t, std::less<>> claimed_until_;
};

}  // namespace wx::store
