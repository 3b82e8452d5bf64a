// SQLite schema, applied in order; PRAGMA user_version records how far a database has come.

export const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE admins (
    username TEXT PRIMARY KEY,
    doc TEXT NOT NULL
  );
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    deleted_at INTEGER,
    search TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX api_keys_created ON api_keys(created_at);
  CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    created_at INTEGER NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE TABLE usage_agg (
    granularity TEXT NOT NULL,
    bucket TEXT NOT NULL,
    key_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    model TEXT NOT NULL,
    requests INTEGER NOT NULL DEFAULT 0,
    errors INTEGER NOT NULL DEFAULT 0,
    input INTEGER NOT NULL DEFAULT 0,
    output INTEGER NOT NULL DEFAULT 0,
    cache_write_5m INTEGER NOT NULL DEFAULT 0,
    cache_write_1h INTEGER NOT NULL DEFAULT 0,
    cache_read INTEGER NOT NULL DEFAULT 0,
    cost_nanos INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (granularity, bucket, key_id, account_id, model)
  ) WITHOUT ROWID;
  CREATE TABLE request_log (
    request_id TEXT PRIMARY KEY,
    ts INTEGER NOT NULL,
    key_id TEXT NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX request_log_ts ON request_log(ts);
  CREATE INDEX request_log_key_ts ON request_log(key_id, ts);
  `,
  `
  CREATE TABLE kv (
    k TEXT PRIMARY KEY,
    v TEXT NOT NULL,
    expires_at INTEGER
  ) WITHOUT ROWID;
  CREATE INDEX kv_expires ON kv(expires_at) WHERE expires_at IS NOT NULL;
  `,
  `
  CREATE TABLE key_counters (
    key_id TEXT NOT NULL,
    name TEXT NOT NULL,
    value INTEGER NOT NULL DEFAULT 0,
    expires_at INTEGER,
    PRIMARY KEY (key_id, name)
  ) WITHOUT ROWID;
  CREATE TABLE key_leases (
    key_id TEXT NOT NULL,
    lease_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (key_id, lease_id)
  ) WITHOUT ROWID;
  `,
  `
  CREATE TABLE key_waiters (
    key_id TEXT NOT NULL,
    waiter_id TEXT NOT NULL,
    enqueued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (key_id, waiter_id)
  ) WITHOUT ROWID;
  `,
  // Account groups, OAuth sessions and admin sessions get their own tables; what earlier versions kept as JSON in
  // kv (group:<id>, oauth:session:<id>, adminsession:<sid>) moves over.
  `
  CREATE TABLE account_groups (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE TABLE oauth_sessions (
    id TEXT PRIMARY KEY,
    sealed TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE admin_sessions (
    sid TEXT PRIMARY KEY,
    username TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    ip TEXT NOT NULL DEFAULT '',
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX admin_sessions_username ON admin_sessions(username);
  INSERT OR IGNORE INTO account_groups (id, name, description, created_at, updated_at)
    SELECT substr(k, 7), COALESCE(json_extract(v, '$.name'), ''), COALESCE(json_extract(v, '$.description'), ''),
      COALESCE(json_extract(v, '$.createdAt'), 0), COALESCE(json_extract(v, '$.updatedAt'), 0)
    FROM kv WHERE k >= 'group:' AND k < 'group;' AND json_valid(v) AND json_type(v) = 'object';
  INSERT OR IGNORE INTO oauth_sessions (id, sealed, expires_at)
    SELECT substr(k, 15), v, expires_at FROM kv WHERE k >= 'oauth:session:' AND k < 'oauth:session;' AND expires_at IS NOT NULL;
  INSERT OR IGNORE INTO admin_sessions (sid, username, created_at, ip, expires_at)
    SELECT substr(k, 14), json_extract(v, '$.username'), COALESCE(json_extract(v, '$.at'), 0), COALESCE(json_extract(v, '$.ip'), ''), expires_at
    FROM kv WHERE k >= 'adminsession:' AND k < 'adminsession;' AND expires_at IS NOT NULL
      AND json_valid(v) AND json_type(v) = 'object' AND json_type(v, '$.username') = 'text';
  DELETE FROM kv WHERE (k >= 'group:' AND k < 'group;') OR (k >= 'oauth:session:' AND k < 'oauth:session;')
    OR (k >= 'adminsession:' AND k < 'adminsession;');
  `,
  // Account concurrency slots get their own table (earlier versions kept them as key leases named account:<id>).
  `
  CREATE TABLE account_slots (
    account_id TEXT NOT NULL,
    lease_id TEXT NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, lease_id)
  ) WITHOUT ROWID;
  DELETE FROM key_leases WHERE key_id >= 'account:' AND key_id < 'account;';
  `,
];
