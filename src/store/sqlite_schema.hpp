#pragma once

#include <array>
#include <string_view>

namespace wx::store {

// The SQLite schema, version by version (version N is element N-1), applied in order by the
// migration runner, each inside one transaction. Never edit a shipped version; add a new one.
// Every backend keeps the same version numbers with the same meaning.
inline constexpr std::array<std::string_view, 8> kSqliteSchema = {
    // 1: users, WeChat identities, sessions and refresh tokens.
    R"sql(
CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT,
    username_key TEXT UNIQUE,
    email TEXT,
    email_key TEXT UNIQUE,
    password_hash TEXT,
    nickname TEXT NOT NULL DEFAULT '',
    avatar_url TEXT NOT NULL DEFAULT '',
    phone TEXT,
    role TEXT NOT NULL DEFAULT 'user',
    disabled INTEGER NOT NULL DEFAULT 0,
    tokens_not_before INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE TABLE wechat_identities (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    app_id TEXT NOT NULL,
    openid TEXT NOT NULL,
    unionid TEXT,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    session_key_sealed BLOB,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    UNIQUE (app_id, openid)
);
CREATE INDEX wechat_identities_unionid ON wechat_identities(unionid);
CREATE INDEX wechat_identities_user ON wechat_identities(user_id);
CREATE TABLE sessions (
    id TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    generation INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    refreshed_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    access_expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE refresh_tokens (
    hash BLOB PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    used_at INTEGER
);
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);
)sql",
    // 2: find the revoked sessions whose access tokens are still alive, at every start.
    R"sql(
CREATE INDEX sessions_revoked ON sessions(access_expires_at) WHERE revoked_at IS NOT NULL;
)sql",
    // 3: users.tokens_not_before was checked but never written; revocation is per session.
    R"sql(
ALTER TABLE users DROP COLUMN tokens_not_before;
)sql",
    // 4: the change log every instance polls: revocations and user changes, in commit order.
    R"sql(
CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    kind INTEGER NOT NULL,
    subject TEXT NOT NULL,
    until_at INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX changes_created ON changes(created_at);
)sql",
    // 5: MariaDB's unionid lock rows; SQLite's single writer serialises logins without them.
    R"sql(
SELECT 1;
)sql",
    // 6: sessions per device: how each began, the login's User-Agent and masked address. Older
    // sessions of accounts without a WeChat identity were password logins.
    R"sql(
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT 'wechat';
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN client_ip TEXT;
UPDATE sessions SET method = 'password' WHERE user_id NOT IN (SELECT user_id FROM wechat_identities);
)sql",
    // 7: account lifecycle. A deleted account keeps its row (the id is never reused) with every
    // personal column erased and deleted_at set; administrators look users up by phone and by
    // openid in any app; the janitor finds expired sessions by their refresh expiry and takes
    // turns with other instances through a lease.
    R"sql(
ALTER TABLE users ADD COLUMN deleted_at INTEGER;
CREATE INDEX users_phone ON users(phone);
CREATE INDEX wechat_identities_openid ON wechat_identities(openid);
CREATE INDEX sessions_expires ON sessions(expires_at);
CREATE TABLE leases (
    name TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    until_at INTEGER NOT NULL
);
)sql",
    // 8: refresh tokens are kept in their key's order only (WITHOUT ROWID): keys of new tokens
    // sort by creation (auth/refresh_token.cpp), so a login appends to one B-tree instead of two,
    // a rowid table beside an index on the key. Keys of earlier tokens are copied as they are.
    R"sql(
CREATE TABLE refresh_tokens_v8 (
    hash BLOB PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    generation INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    used_at INTEGER
) WITHOUT ROWID;
INSERT INTO refresh_tokens_v8 (hash, session_id, generation, created_at, used_at)
    SELECT hash, session_id, generation, created_at, used_at FROM refresh_tokens;
DROP TABLE refresh_tokens;
ALTER TABLE refresh_tokens_v8 RENAME TO refresh_tokens;
CREATE INDEX refresh_tokens_session ON refresh_tokens(session_id);
)sql",
};

}  // namespace wx::store
