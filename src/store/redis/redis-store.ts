// The shared store: Redis via ioredis (enableOfflineQueue off, so an outage fails fast). Many relay processes
// share it; changes are broadcast on a pub/sub channel so every instance drops stale cache entries.
import { randomUUID } from 'node:crypto';
import { monotonicNow, systemClock, type Clock } from '../../core/clock.js';
import { RelayError } from '../../core/errors.js';
import { ChangeHub } from '../change-hub.js';
import type {
  AccountRepo,
  AdminRepo,
  AdminSessionRepo,
  ApiKeyRepo,
  ChangeEvent,
  GroupRepo,
  KvRepo,
  LimitsRepo,
  AccountSlotsRepo,
  OAuthSessionRepo,
  Store,
  UsageRepo,
} from '../types.js';
import { redisAccounts, redisAdmins } from './accounts.js';
import { redisApiKeys } from './api-keys.js';
import type { Cmd } from './command.js';
import { createRedisClient, type RedisTarget } from './connection.js';
import { guardRepo } from './errors.js';
import { redisGroups } from './groups.js';
import { redisKeys, type RedisKeys } from './keys.js';
import { redisKv } from './kv.js';
import { moveLegacyKv } from './legacy-kv.js';
import { redisLimits } from './limits.js';
import { ACQUIRE_SLOT, redisAccountSlots } from './account-slots.js';
import { ADMIT, CAS_DOC, DELETE_IF_EQUALS, LEAVE_QUEUE, RECORD_USAGE_BATCH, REPLACE_IF_EQUALS, SETTLE } from './scripts.js';
import { redisAdminSessions, redisOAuthSessions } from './sessions.js';
import { redisUsage } from './usage.js';

export interface RedisStoreOptions extends RedisTarget {
  keyPrefix?: string;
  /**
   * Longest a request-log entry is kept (ms; default 365 days, the most Settings › Data & retention allows): the
   * configured retention, shorter, is applied by the background retention job (`pruneRequests`).
   */
  requestRetentionMs?: number;
  connectTimeoutMs?: number;
  /** A command not answered in this time fails (a stopped or unreachable Redis must not hold requests). */
  commandTimeoutMs?: number;
  /** The time the expiry indexes (kv, admin sessions) are scored by (default: the system clock). */
  clock?: Clock;
}

function connect(opts: RedisStoreOptions): Cmd {
  const r = createRedisClient(opts, {
    enableOfflineQueue: false,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
    connectTimeout: opts.connectTimeoutMs ?? 5000,
    commandTimeout: opts.commandTimeoutMs ?? 5000,
    retryStrategy: (n) => Math.min(n * 200, 2000),
  }) as unknown as Cmd;
  // Without a listener ioredis prints every failed reconnect to stderr. An outage shows in /health (503), in
  // crs_store_errors_total and as 503 STORE_UNAVAILABLE answers; the retry strategy keeps reconnecting.
  r.on('error', () => {});
  r.defineCommand('crsRecordUsageBatch', { lua: RECORD_USAGE_BATCH });
  r.defineCommand('crsCasDoc', { numberOfKeys: 1, lua: CAS_DOC });
  r.defineCommand('crsDeleteIfEquals', { numberOfKeys: 1, lua: DELETE_IF_EQUALS });
  r.defineCommand('crsReplaceIfEquals', { numberOfKeys: 1, lua: REPLACE_IF_EQUALS });
  r.defineCommand('crsAdmit', { numberOfKeys: 8, lua: ADMIT });
  r.defineCommand('crsLeaveQueue', { numberOfKeys: 3, lua: LEAVE_QUEUE });
  r.defineCommand('crsSettle', { numberOfKeys: 4, lua: SETTLE });
  r.defineCommand('crsAcquireSlot', { numberOfKeys: 1, lua: ACQUIRE_SLOT });
  return r;
}

/** Opens both connections (commands, subscriptions) and waits until they are ready. */
export async function openRedisStore(opts: RedisStoreOptions): Promise<RedisStore> {
  const cmd = connect(opts);
  const sub = connect(opts);
  try {
    await Promise.all([cmd.connect(), sub.connect()]);
  } catch (e) {
    cmd.disconnect();
    sub.disconnect();
    throw new RelayError('STORE_UNAVAILABLE', `Cannot connect to Redis: ${(e as Error).message}`, { cause: e });
  }
  const keys = redisKeys(opts.keyPrefix ?? 'crs:');
  const clock = opts.clock ?? systemClock;
  try {
    await moveLegacyKv(cmd, keys, clock);
  } catch (e) {
    cmd.disconnect();
    sub.disconnect();
    throw new RelayError('STORE_UNAVAILABLE', `Cannot move legacy Redis entries: ${(e as Error).message}`, { cause: e });
  }
  const store = new RedisStore(cmd, sub, keys, opts.requestRetentionMs ?? 365 * 86_400_000, clock);
  await store.subscribe();
  return store;
}

export class RedisStore implements Store {
  readonly kind = 'redis' as const;
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
  private readonly hub = new ChangeHub();
  private readonly origin = randomUUID();

  constructor(
    private readonly r: Cmd,
    private readonly sub: Cmd,
    private readonly k: RedisKeys,
    retentionMs: number,
    clock: Clock = systemClock,
  ) {
    const emit = (e: ChangeEvent) => this.publish(e);
    // A Redis outage reaches callers as STORE_UNAVAILABLE (503), never as a raw ioredis error (500).
    this.admins = guardRepo(redisAdmins(r, k, emit));
    this.apiKeys = guardRepo(redisApiKeys(r, k, emit));
    this.accounts = guardRepo(redisAccounts(r, k, emit));
    this.groups = guardRepo(redisGroups(r, k, emit));
    this.oauthSessions = guardRepo(redisOAuthSessions(r, k));
    this.adminSessions = guardRepo(redisAdminSessions(r, k, clock));
    this.usage = guardRepo(redisUsage(r, k, retentionMs));
    this.kv = guardRepo(redisKv(r, k, clock));
    this.limits = guardRepo(redisLimits(r, k));
    this.accountSlots = guardRepo(redisAccountSlots(r, k));
  }

  async subscribe(): Promise<void> {
    await this.sub.subscribe(this.k.changes);
    this.sub.on('message', (_channel: string, message: string) => {
      try {
        const { origin, ...event } = JSON.parse(message) as ChangeEvent & { origin: string };
        if (origin !== this.origin) this.hub.emit(event);
      } catch {
        // a malformed message on our channel is ignored
      }
    });
    // After a reconnect we may have missed messages: everything may be stale. Either connection may come back
    // last; the reloads this triggers need the command connection, so both say so.
    this.sub.on('ready', () => this.hub.emit({ entity: '*' }));
    this.r.on('ready', () => this.hub.emit({ entity: '*' }));
  }

  publish(event: ChangeEvent): void {
    this.hub.emit(event);
    this.r.publish(this.k.changes, JSON.stringify({ ...event, origin: this.origin })).catch(() => {
      // other instances will converge on their next reconnect ('*' event)
    });
  }

  async ping(): Promise<number> {
    const t = monotonicNow();
    await this.r.ping();
    return monotonicNow() - t;
  }

  onChange(listener: (event: ChangeEvent) => void): () => void {
    return this.hub.on(listener);
  }

  async close(): Promise<void> {
    this.hub.clear();
    await Promise.allSettled([this.r.quit(), this.sub.quit()]);
    // QUIT cannot be sent while Redis is unreachable; without this the client would keep reconnecting (and the
    // process running) after close.
    this.r.disconnect();
    this.sub.disconnect();
  }
}
