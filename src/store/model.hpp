#pragma once
// The records the store keeps. Plain data; no behaviour.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace wx::store {

struct WeChatIdentity {
    std::string app_id;
    std::string openid;
    std::optional<std::string> unionid;
};

struct User {
    std::int64_t id = 0;
    std::optional<std::string> username;
    std::optional<std::string> email;
    std::string nickname;
    std::string avatar_url;
    std::optional<std::string> phone;
    std::string role = "user";
    bool disabled = false;
    std::int64_t created_at = 0;
    std::optional<WeChatIdentity> wechat;  // the user's first WeChat identity
};

// A login session: one refresh-token family and the access tokens issued from it.
struct NewSession {
    std::string id;                           // the `sid` claim
    std::vector<unsigned char> refresh_hash;  // auth::refresh_token_key of the refresh token
    std::int64_t created_at = 0;
    std::int64_t expires_at = 0;         // absolute refresh expiry
    std::int64_t access_expires_at = 0;  // expiry of the latest access token of this session
    // Where it came from, for the user's list of devices (API.md "Sessions"): "wechat" or
    // "password"; the login's User-Agent, already cleaned and cut; the client address, already
    // masked (the full address is never stored).
    std::string method = "wechat";
    std::optional<std::string> user_agent;
    std::optional<std::string> client_ip;
};

// A live session as its user sees it in the list of devices.
struct SessionInfo {
    std::string id;
    std::string method;
    std::int64_t created_at = 0;
    std::int64_t last_used_at = 0;  // the login or the latest refresh
    std::optional<std::string> user_agent;
    std::optional<std::string> client_ip;
};

struct WeChatLogin {
    WeChatIdentity identity;
    std::vector<unsigned char> session_key_sealed;  // AES-256-GCM; the store never sees the key
    bool match_unionid_across_apps = true;
    NewSession session;
    std::int64_t now = 0;
};

struct LoginOutcome {
    User user;
    bool created = false;
    bool disabled = false;  // the identity's user is disabled: no session was started
};

// One refresh: the presented token is spent and its successor stored, in one transaction.
struct Rotation {
    std::vector<unsigned char> presented_hash;  // auth::refresh_token_key of each token
    std::vector<unsigned char> next_hash;
    std::int64_t now = 0;
    std::int64_t access_expires_at = 0;  // expiry of the access token issued with the successor
};

enum class RefreshVerdict {
    rotated,  // the successor is stored; the presented token is spent
    unknown,  // no such token, its session revoked, or its user disabled
    expired,  // the session passed its absolute refresh expiry
    reused,   // the token was already spent: the whole session is now revoked
};

struct RefreshOutcome {
    RefreshVerdict verdict = RefreshVerdict::unknown;
    std::string session_id;              // rotated, reused
    std::int64_t expires_at = 0;         // rotated: the session's absolute refresh expiry
    std::int64_t access_expires_at = 0;  // reused: when the session's last access token expires
    User user;                           // rotated
};

// A session that was revoked, and how long its access tokens stay otherwise valid.
struct RevokedSession {
    std::string id;
    std::int64_t access_expires_at = 0;
};

// Registration: the user, its password hash and its first session, in one transaction.
struct NewPasswordUser {
    std::string username;      // as typed; shown back to the user
    std::string username_key;  // canonical form: what uniqueness and lookup use
    std::optional<std::string> email;
    std::optional<std::string> email_key;
    std::string password_hash;  // Argon2id string; never logged
    NewSession session;
    std::int64_t now = 0;
};

enum class RegisterVerdict { created, username_taken, email_taken };

struct RegisterOutcome {
    RegisterVerdict verdict = RegisterVerdict::created;
    User user;  // created
};

// A users row as inserted: every field null for a WeChat user, the keys set for a password account.
struct NewUserRow {
    std::optional<std::string> username;
    std::optional<std::string> username_key;
    std::optional<std::string> email;
    std::optional<std::string> email_key;
    std::optional<std::string> password_hash;
    std::int64_t now = 0;
};

// A refresh token as the rotation rule sees it, with its session and user.
struct RefreshTokenRecord {
    std::string session_id;
    std::int64_t user_id = 0;
    std::int64_t generation = 0;         // the session's current generation
    std::int64_t expires_at = 0;         // the session's absolute refresh expiry
    std::int64_t access_expires_at = 0;  // expiry of the session's latest access token
    bool spent = false;
    bool session_revoked = false;
    bool user_disabled = false;
};

// What password login needs to know about an account, found by username or email key.
struct StoredCredentials {
    std::int64_t user_id = 0;
    std::optional<std::string> password_hash;  // null: a WeChat-only account
    bool disabled = false;
};

// POST /users/me/wechat: the identity of a fresh login code, for the caller.
struct BindWeChat {
    std::int64_t user_id = 0;
    WeChatIdentity identity;
    std::vector<unsigned char> session_key_sealed;
    std::int64_t now = 0;
};

enum class BindVerdict { bound, bound_to_another_user };

struct BindOutcome {
    BindVerdict verdict = BindVerdict::bound;
    User user;  // bound
};

// One entry of the change log: what every instance must hear about, in commit order by `seq`
// (DESIGN.md "Scale-out": the database is the record and also the slow channel).
enum class ChangeKind {
    session_revoked = 1,  // subject: the session id; until: when its last access token expires
    user_changed = 2,     // subject: the user id; cached copies of the user must go
};

struct Change {
    std::int64_t seq = 0;
    ChangeKind kind = ChangeKind::user_changed;
    std::string subject;
    std::int64_t until = 0;
};

// What one janitor batch deleted: sessions past their refresh expiry (or revoked, with their
// last access token expired) and those sessions' refresh tokens.
struct ExpiredRows {
    std::int64_t sessions = 0;
    std::int64_t refresh_tokens = 0;
};

// PATCH /users/me: fields absent from the request are left as they are.
struct ProfileChange {
    std::optional<std::string> nickname;
    std::optional<std::string> avatar_url;
    std::int64_t now = 0;
};

}  // namespace wx::store
