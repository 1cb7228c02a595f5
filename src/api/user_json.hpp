#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <string>

#include "store/model.hpp"

namespace wx::api {

// RFC 3339 UTC, e.g. 2026-11-24T08:00:00Z.
[[nodiscard]] std::string rfc3339(std::int64_t unix_seconds);
// A JSON string, or null for nullopt.
[[nodiscard]] boost::json::value optional_string(std::optional<std::string> const& s);
// The API.md User object. Never carries the session_key or the password hash.
[[nodiscard]] boost::json::object user_json(store::User const& user);
// user_json() serialised: what the user cache keeps, so that /users/me only copies a string.
[[nodiscard]] std::string render_user_json(store::User const& user);
// The API.md Session object without `current` (the user's own list adds it).
[[nodiscard]] boost::json::object session_json(store::SessionInfo const& session);
// The API.md AdminUser: User plus "disabled" and "sessions" (the live count).
[[nodiscard]] boost::json::object admin_user_json(store::User const& user, std::int64_t live_sessions);

}  // namespace wx::api
