// The one storage interface. SQLite (default) and Redis implement it and pass the same contract suite
// (test/store-contract.test.ts). SQL lives only under store/sqlite, Redis key names only in store/redis/keys.ts.
import type { Account } from '../core/account.js';
import type { AdminUser } from '../core/admin.js';
import type { ApiKey } from '../core/api-key.js';
import type { UsageEvent, UsageQuery, UsageRow } from '../core/usage-event.js';

export type StoreKind = 'sqlite' | 'redis';

/** What changed; `entity: '*'` means "something, reload everything" (e.g. another process wrote). */
export interface ChangeEvent {
  entity: 'apiKey' | 'account' | 'admin' | 'health' | 'group' | 'settings' | '*';
  id?: string;
}

export interface AdminRepo {
  get(username: string): Promise<AdminUser | null>;
  put(user: AdminUser): Promise<void>;
  count(): Promise<number>;
}

export interface ApiKeyListQuery {
  includeDeleted?: boolean;
  /** Case-insensitive match on name, description, prefix or tags. */
  q?: string;
  offset?: number;
  limit?: number;
}

export interface ApiKeyRepo {
  /** Fails with a CONFLICT RelayError when the hash or id already exists. */
  create(key: ApiKey): Promise<void>;
  get(id: string): Promise<ApiKey | null>;
  getByHash(hash: string): Promise<ApiKey | null>;
  list(query?: ApiKeyListQuery): Promise<{ items: ApiKey[]; total: number }>;
  /** Returns the updated record, or null when the key does not exist. */
  update(id: string, patch: Partial<Omit<ApiKey, 'id' | 'hash'>>): Promise<ApiKey | null>;
  /** Permanent delete. Returns false when the key did not exist. */
  remove(id: string): Promise<boolean>;
}

export interface AccountRepo {
  create(account: Account): Promise<void>;
  get(id: string): Promise<Account | null>;
  list(): Promise<Account[]>;
  update(id: string, patch: Partial<Omit<Account, 'id' | 'kind'>>): Promise<Account | null>;
  remove(id: string): Promise<boolean>;
  /** Batched bookkeeping from the hot path: last-used times of many accounts in one write. */
  touch(lastUsed: ReadonlyMap<string, number>): Promise<void>;
}

/** A position in the request log: the (ts, requestId) of the last entry a page showed. */
export interface RequestLogCursor {
  ts: number;
  requestId: string;
}

export interface UsageRepo {
  /**
   * Records finished requests: log entries and every aggregate, in one round trip for the whole batch.
   * Idempotent per request id (a replayed id changes nothing).
   */
  record(events: readonly UsageEvent[]): Promise<void>;
  /** Aggregate rows matching the query (one per bucket × key × account × model). */
  query(query: UsageQuery): Promise<UsageRow[]>;
  /**
   * Most recent request log entries, newest first (ordered by ts, then request id, both descending). `before`
   * continues a listing: only entries strictly older than that (ts, requestId) position.
   */
  recentRequests(limit: number, filter?: { keyId?: string; before?: RequestLogCursor }): Promise<UsageEvent[]>;
}

/**
 * Small shared state with expiry: sticky sessions, health states, OAuth sessions, locks. Values are strings
 * (callers serialise). `ttlMs` omitted = no expiry. Expired entries are never returned.
 */
export interface KvRepo {
  get(key: string): Promise<string | null>;
  getMany(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when absent (or expired); true when this call set it. The building block of locks. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  delete(key: string): Promise<void>;
  /** Deletes only while the value is still `value` (releasing a lock one holds); true when deleted. */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  /** Every live entry whose key starts with `prefix` (bounded sets only: health states, sessions of a kind). */
  scan(prefix: string): Promise<{ key: string; value: string }[]>;
  /** Milliseconds until expiry; null when absent, Infinity when it never expires. */
  ttl(key: string): Promise<number | null>;
}

export interface Store {
  readonly kind: StoreKind;
  readonly admins: AdminRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly accounts: AccountRepo;
  readonly usage: UsageRepo;
  readonly kv: KvRepo;
  /** Broadcasts an event to every instance's onChange listeners (this one included). */
  publish(event: ChangeEvent): void;
  /** Round-trip time to the backend in ms; throws when it is unreachable. */
  ping(): Promise<number>;
  /** Called when data changes, in this process or another one sharing the backend. Returns an unsubscribe. */
  onChange(listener: (event: ChangeEvent) => void): () => void;
  close(): Promise<void>;
}
