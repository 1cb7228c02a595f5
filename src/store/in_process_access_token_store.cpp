#include "store/in_process_access_token_store.hpp"

namespace wx::store {

Task<std::optional<StoredAccessToken>> InProcessAccessTokenStore::load(std::string app_id) {
    std::lock_guard lock{mutex_};
    auto it = tokens_.find(app_id);
    if (it == tokens_.end()) co_return std::nullopt;
    co_return it->second;
}

Task<void> InProcessAccessTokenStore::save(std::string app_id, StoredAccessToken token) {
    std::lock_guard lock{mutex_};
    tokens_[std::move(app_id)] = std::move(token);
    co_return;
}

Task<bool> InProcessAccessTokenStore::discard(std::string app_id, std::string token) {
    std::lock_guard lock{mutex_};
    auto it = tokens_.find(app_id);
    if (it == tokens_.end() || it->second.token != token) co_return false;
    tokens_.erase(it);
    co_return true;
}

Task<bool> InProcessAccessTokenStore::claim_fetch(std::string app_id, std::int64_t now, std::int64_t hold_seconds) {
    std::lock_guard lock{mutex_};
    auto [it, fresh] = claimed_until_.try_emplace(std::move(app_id), now + hold_seconds);
    if (fresh) co_return true;
    if (it->second > now) co_return false;
    it->second = now + hold_seconds;  // the previous holder's claim lapsed
    co_return true;
}

Task<void> InProcessAccessTokenStore::release_fetch(std::string app_id) {
    std::lock_guard lock{mutex_};
    claimed_until_.erase(app_id);
    co_return;
}

}  // namespace wx::store
