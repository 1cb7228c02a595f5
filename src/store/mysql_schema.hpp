#pragma once

#include <array>
#include <string_view>

namespace wx::store {

// The MariaDB/MySQL schema, version by version: the same version numbers with the same meanings
// as kSqliteSchema (sqlite_schema.hpp), in MariaDB's DDL. Never edit a shipped version; add one.
//
// InnoDB (row locks, transactions, foreign keys), utf8mb4 with the binary collation: text compares
// byte for byte as in SQLite, so the canonical username/e-mail keys the rules compute are the only
// case folding there is (a case- or accent-insensitive collation would make the unique keys refuse
// names the rules consider different).
//
// MariaDB runs DDL outside transactions (each statement commits), so a version cannot be applied
// atomically with its record. Every statement here is safe to run again (IF NOT EXISTS, IF EXISTS,
// INSERT IGNORE), and the runner records a version right after its last statement: a migration
// interrupted halfway is finished by the next run. Statements are separated by ";" at the end of
// a line (MysqlBackend splits them; none contains a ';' of its own).
inline constexpr std::array<std::string_view, 8> kMysqlSchema = {
    // 1: users, WeChat identities, sessions and refresh tokens.
    R"sql(
CREATE TABLE IF NOT EXISTS users (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    username VARCHAR(255) NULL,
    username_key VARCHAR(255) NULL,
    email VARCHAR(255) NULL,
    email_key VARCHAR(255) NULL,
    password_hash TEXT NULL,
    nickname TEXT NOT NULL DEFAULT '',
    avatar_url TEXT NOT NULL DEFAULT '',
    phone TEXT NULL,
    role VARCHAR(32) NOT NULL DEFAULT 'user',
    disabled TINYINT NOT NULL DEFAULT 0,
    tokens_not_before BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE KEY users_username_key (username_key),
    UNIQUE KEY users_email_key (email_key)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS wechat_identities (
    id BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,
    app_id VARCHAR(64) NOT NULL,
    openid VARCHAR(128) NOT NULL,
    unionid VARCHAR(128) NULL,
    user_id BIGINT NOT NULL,
    session_key_sealed BLOB NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE KEY wechat_identities_app_openid (app_id, openid),
    KEY wechat_identities_unionid (unionid),
    KEY wechat_identities_user (user_id),
    CONSTRAINT wechat_identities_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS sessions (
    id VARCHAR(64) NOT NULL PRIMARY KEY,
    user_id BIGINT NOT NULL,
    generation BIGINT NOT NULL DEFAULT 0,
    created_at BIGINT NOT NULL,
    refreshed_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    access_expires_at BIGINT NOT NULL,
    revoked_at BIGINT NULL,
    KEY sessions_user (user_id),
    CONSTRAINT sessions_user_fk FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS refresh_tokens (
    hash VARBINARY(64) NOT NULL PRIMARY KEY,
    session_id VARCHAR(64) NOT NULL,
    generation BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    used_at BIGINT NULL,
    KEY refresh_tokens_session (session_id),
    CONSTRAINT refresh_tokens_session_fk FOREIGN KEY (session_id) REFERENCES sessions (id) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql",
    // 2: find the revoked sessions whose access tokens are still alive, at every start. SQLite's
    // partial index (access_expires_at WHERE revoked_at IS NOT NULL) has no MariaDB equivalent;
    // the closest is an index on a virtual column that is NULL for live sessions, so a range scan
    // over it touches revoked sessions only (revoked_sessions() queries that column).
    R"sql(
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS revoked_access_expires_at BIGINT
    AS (IF(revoked_at IS NULL, NULL, access_expires_at)) VIRTUAL;
CREATE INDEX IF NOT EXISTS sessions_revoked ON sessions (revoked_access_expires_at);
)sql",
    // 3: users.tokens_not_before was checked but never written; revocation is per session.
    R"sql(
ALTER TABLE users DROP COLUMN IF EXISTS tokens_not_before;
)sql",
    // 4: the change log every instance polls: revocations and user changes, in commit order. An
    // AUTO_INCREMENT seq would be assigned at insert, not at commit (a poller could pass over a
    // smaller seq that commits later), so seq comes from the one-row change_seq counter, whose row
    // lock every appending transaction holds until it commits: seq order is commit order.
    R"sql(
CREATE TABLE IF NOT EXISTS changes (
    seq BIGINT NOT NULL PRIMARY KEY,
    kind INT NOT NULL,
    subject VARCHAR(255) NOT NULL,
    until_at BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    KEY changes_created (created_at)
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
CREATE TABLE IF NOT EXISTS change_seq (
    id TINYINT NOT NULL PRIMARY KEY,
    seq BIGINT NOT NULL
) ENGINE=InnoDB;
INSERT IGNORE INTO change_seq (id, seq) VALUES (1, 0);
)sql",
    // 5: the rows Transaction::lock_unionid locks, one per slot (a checksum of the unionid, so
    // that no identifier is kept here).
    R"sql(
CREATE TABLE IF NOT EXISTS unionid_locks (
    slot INT NOT NULL PRIMARY KEY
) ENGINE=InnoDB;
)sql",
    // 6: sessions per device: how each began, the login's User-Agent (at most 256 characters)
    // and masked address. Older sessions of accounts without a WeChat identity were password logins.
    R"sql(
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS method VARCHAR(16) NOT NULL DEFAULT 'wechat';
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS user_agent VARCHAR(256) NULL;
ALTER TABLE sessions ADD COLUMN IF NOT EXISTS client_ip VARCHAR(64) NULL;
UPDATE sessions SET method = 'password' WHERE user_id NOT IN (SELECT user_id FROM wechat_identities);
)sql",
    // 7: account lifecycle: deleted accounts keep a tombstone row, lookups by phone (a prefix
    // index: phone is TEXT) and openid, the janitor's expiry index and its lease.
    R"sql(
ALTER TABLE users ADD COLUMN IF NOT EXISTS deleted_at BIGINT NULL;
CREATE INDEX IF NOT EXISTS users_phone ON users (phone(32));
CREATE INDEX IF NOT EXISTS wechat_identities_openid ON wechat_identities (openid);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires_at);
CREATE TABLE IF NOT EXISTS leases (
    name VARCHAR(64) NOT NULL PRIMARY KEY,
    holder VARCHAR(64) NOT NULL,
    until_at BIGINT NOT NULL
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin;
)sql",
    // 8: SQLite's refresh tokens move to a table clustered on their key; InnoDB clusters every
    // table on its primary key already, and VARBINARY(64) holds the longer keys of new tokens.
    R"sql(
SELECT 1;
)sql",
};

}  // namespace wx::store
