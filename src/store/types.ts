// The one storage interface. SQLite (default) and Redis implement it and pass the same contract suite
// (test/store-contract.test.ts). SQL lives only under store/sqlite, Redis key names only in store/redis/keys.ts.
import type { Account } from '../core/account.js';
import type { AccountGroup } from '../core/account-group.js';
import type { AdminSessionRecord, AdminUser } from '../core/admin.js';
import type { ApiKey } from '../core/api-key.js';
import type { Granularity, UsageEvent, UsageQuery, UsageRow } from '../core/usage-event.js';

export type StoreKind = 'sqlite' | 'redis';

/** What changed; `entity: '*'` means "something, reload everything" (e.g. another process wrote). */
export interface ChangeEvent {
  /** `queue`: a concurrency slot of key `id` came free, or its wait queue moved (waiters try again). */
  entity: 'apiKey' | 'account' | 'admin' | 'health' | 'group' | 'settings' | 'queue' | '*';
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
  /**
   * Swaps the lookup hash of a key from `from` to `to` (and applies `patch`), atomically: an imported key, first
   * presented, trades the reference project's hash for the relay's. Returns the record when its hash is now `to`
   * (also when another request swapped it first), null when the key is gone or holds neither hash.
   */
  replaceHash(id: string, from: string, to: string, patch?: Partial<Pick<ApiKey, 'prefix'>>): Promise<ApiKey | null>;
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

export interface GroupRepo {
  get(id: string): Promise<AccountGroup | null>;
  /** Every group, in creation order (createdAt, then id). */
  list(): Promise<AccountGroup[]>;
  /** Creates or replaces the group with this id. */
  put(group: AccountGroup): Promise<void>;
  /** Returns false when the group did not exist. */
  remove(id: string): Promise<boolean>;
}

/**
 * Subscription OAuth authorisations in progress: an opaque (sealed) record per session id, expiring after `ttlMs`.
 * Expired sessions are never returned. The compare-and-swap methods let any instance finish what another started
 * and hand the tokens out exactly once.
 */
export interface OAuthSessionRepo {
  get(id: string): Promise<string | null>;
  /** Milliseconds until the session expires; null when absent or expired. */
  ttl(id: string): Promise<number | null>;
  /** Creates or overwrites the session. */
  put(id: string, sealed: string, ttlMs: number): Promise<void>;
  /** Replaces the session only while it still holds `prev` (nobody replaced or took it meanwhile); true when replaced. */
  replace(id: string, prev: string, next: string, ttlMs: number): Promise<boolean>;
  /** Removes the session only while it still holds `sealed`: of concurrent takers exactly one gets true. */
  take(id: string, sealed: string): Promise<boolean>;
}

/** Server-side admin sessions, each expiring with its token. Expired sessions are never returned or counted. */
export interface AdminSessionRepo {
  get(sid: string): Promise<AdminSessionRecord | null>;
  put(session: AdminSessionRecord, ttlMs: number): Promise<void>;
  /** Ends one session; returns it, or null when it was not live. */
  remove(sid: string): Promise<AdminSessionRecord | null>;
  /** Ends every live session of `username` but `exceptSid`; returns how many ended. */
  removeByUser(username: string, exceptSid?: string): Promise<number>;
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
  /**
   * Deletes request-log entries older than `before` (epoch ms; aggregates are kept). Returns how many went. The
   * retention job calls it in the background with the configured number of days.
   */
  pruneRequests(before: number): Promise<number>;
  /**
   * Adds aggregate rows as they are, without request-log entries: statistics imported from another system. Rows
   * of the same (granularity, bucket, key, account, model) add up. Not idempotent: callers guard against replays.
   */
  addRows(rows: readonly (UsageRow & { granularity: Granularity })[]): Promise<void>;
}

/**
 * Small shared state with expiry: sticky sessions, health states, settings, locks. Values are strings
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

/** What admission checks and counts for one request of a key with limits (0/absent = not checked). */
export interface AdmitPlan {
  now: number;
  concurrency?: { limit: number; leaseId: string; ttlMs: number; queue?: QueuePlan };
  /** Fixed window starting at the first request. */
  window?: { ms: number; maxRequests: number; maxTokens: number; maxCostNanos: number };
  daily?: { label: string; maxCostNanos: number };
  total?: { maxCostNanos: number; maxTokens: number };
  /** `label` identifies the key's current week and family (e.g. `2026-11-23T00:opus`). */
  weekly?: { label: string; maxCostNanos: number };
}

/**
 * The key's FIFO wait queue (shared by every instance): a request that finds every slot taken, or others already
 * waiting, joins it as `waiterId` and is answered `queued` (other limits are checked first: a request another
 * limit refuses is refused at once). Admitting the same `waiterId` again takes a slot once the waiter is among
 * the first waiters for the free slots. A full queue refuses with `queue_full`; a waiter not admitted within
 * `ttlMs` drops out by itself (a crashed instance never blocks the queue for good).
 */
export interface QueuePlan {
  waiterId: string;
  maxWaiting: number;
  ttlMs: number;
}

export type AdmitRefusal =
  'queue_full' | 'concurrency' | 'window_requests' | 'window_tokens' | 'window_cost' | 'daily_cost' | 'total_cost' | 'total_tokens' | 'weekly_cost';

export type AdmitResult =
  | { ok: true }
  | { ok: false; reason: AdmitRefusal; /** for window refusals: when the window ends */ windowEndsAt?: number }
  /** Waiting in the key's queue (1 = next). */
  | { ok: false; reason: 'queued'; position: number };

/** A key's wait queue: waiting now, and totals since the counters were last reset. */
export interface QueueStats {
  waiting: number;
  /** Requests that joined the queue. */
  entered: number;
  /** Requests that got a slot after waiting. */
  served: number;
  /** Requests that gave up at the maximum wait. */
  timeouts: number;
  /** Requests whose client went away while waiting. */
  cancelled: number;
  /** Requests refused because the queue was full. */
  rejected: number;
  /** Total wait of the served requests (ms). */
  waitMsTotal: number;
}

/** What a finished request adds to a key's counters. */
export interface SettleItem {
  keyId: string;
  /** When the request started. */
  at: number;
  tokens: number;
  costNanos: number;
  dailyLabel: string;
  /** The key's week+family label when the request counts toward a weekly cap, else null. */
  weeklyLabel: string | null;
}

/** A key's counters as admission sees them. */
export interface LimitCounters {
  window: { start: number; requests: number; tokens: number; costNanos: number } | null;
  dailyCostNanos: number;
  weeklyCostNanos: number;
  totalCostNanos: number;
  totalTokens: number;
  inFlight: number;
}

/**
 * Per-key limit state: concurrency leases (with expiry, so a crashed process never leaks a slot) and counters.
 * `admit` is one atomic operation (a Lua script on Redis, a transaction on SQLite).
 */
export interface LimitsRepo {
  admit(keyId: string, plan: AdmitPlan): Promise<AdmitResult>;
  /** Ends a lease; returns how many requests wait in the key's queue (the caller wakes them when > 0). */
  release(keyId: string, leaseId: string): Promise<number>;
  /** A waiter leaves the queue without a slot (it timed out, or its client went away). */
  leaveQueue(keyId: string, waiterId: string, outcome: 'timeout' | 'cancelled'): Promise<void>;
  queueStats(keyId: string, now: number): Promise<QueueStats>;
  /** Extends a lease of a long request. */
  renew(keyId: string, leaseId: string, ttlMs: number, now: number): Promise<void>;
  /** Adds finished requests' tokens and cost (one round trip for the batch). */
  settle(items: readonly SettleItem[]): Promise<void>;
  counters(keyId: string, q: { now: number; dailyLabel: string; weeklyLabel: string | null; windowMs: number }): Promise<LimitCounters>;
  /** Clears a key's counters and leases (operator reset). */
  reset(keyId: string): Promise<void>;
  /**
   * Sets a key's cost/token counters (when a key gets its first counted limit, its past use is counted from the
   * usage statistics: until then requests of keys without limits are not settled, which keeps them cheap).
   */
  seed(
    keyId: string,
    s: {
      now: number;
      totalCostNanos: number;
      totalTokens: number;
      daily: { label: string; costNanos: number };
      weekly: { label: string; costNanos: number } | null;
    },
  ): Promise<void>;
}

/**
 * Concurrency slots of accounts with a cap, shared by every instance: a slot is a lease that ends when the attempt
 * ends, or expires (an instance that died cannot hold one for ever).
 */
export interface AccountSlotsRepo {
  /** Takes a slot when fewer than `limit` live leases exist; false when the account is full. */
  acquire(accountId: string, slot: { leaseId: string; limit: number; ttlMs: number; now: number }): Promise<boolean>;
  release(accountId: string, leaseId: string): Promise<void>;
}

export interface Store {
  readonly kind: StoreKind;
  readonly admins: AdminRepo;
  readonly apiKeys: ApiKeyRepo;
  readonly accounts: AccountRepo;
  readonly groups: GroupRepo;
  readonly oauthSessions: OAuthSessionRepo;
  readonly adminSessions: AdminSessionRepo;
  readonly usage: UsageRepo;
  readonly kv: KvRepo;
  readonly limits: LimitsRepo;
  readonly accountSlots: AccountSlotsRepo;
  /** Broadcasts an event to every instance's onChange listeners (this one included). */
  publish(event: ChangeEvent): void;
  /** Round-trip time to the backend in ms; throws when it is unreachable. */
  ping(): Promise<number>;
  /** Called when data changes, in this process or another one sharing the backend. Returns an unsubscribe. */
  onChange(listener: (event: ChangeEvent) => void): () => void;
  close(): Promise<void>;
}
