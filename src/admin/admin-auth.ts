// Admin credentials and sessions: the first-start credentials (init.json or ADMIN_USERNAME/ADMIN_PASSWORD),
// scrypt-verified logins behind the attempt limiter, and signed, expiring session tokens (JWT, HS256) that name a
// server-side session, so logout, "log out everywhere" and a password change revoke them on every instance.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSigner, createVerifier } from 'fast-jwt';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { hashPassword, needsRehash, randomHex, randomPassword, SCRYPT_DEFAULT_N, verifyPassword } from '../platform/secrets.js';
import type { Store } from '../store/types.js';
import { LoginLimiter, type LoginLimiterOptions } from './login-limiter.js';

export interface AdminAuthOptions {
  jwtSecret: string;
  sessionHours: number;
  /** scrypt N of new password hashes (and of rehashed old ones); OWASP's figure by default. */
  scryptN?: number;
  limiter?: LoginLimiterOptions;
  /** Password checks evaluated at once (scrypt at N=2^17 takes 128 MiB each); the rest wait their turn. */
  maxConcurrentChecks?: number;
  /** How long a session found live in the store is trusted without asking again (change events end it sooner). */
  sessionCacheMs?: number;
}

export interface AdminSession {
  username: string;
  expiresAt: number;
  /** The server-side session the token names; revoking it ends the token. */
  sid: string;
}

/** kv flag: an admin changed the generated password through the UI (the login page stops pointing at init.json). */
const PASSWORD_CHANGED_KV = 'ui:password-changed';

export interface EnsureAdminResult {
  username: string;
  /**
   * 'env' = created now from ADMIN_USERNAME/ADMIN_PASSWORD; 'generated' = created now with generated credentials
   * (all or part) written to init.json; 'existing' = the admin already existed and was left as it is.
   */
  source: 'env' | 'generated' | 'existing';
  initFile?: string;
  /** ADMIN_PASSWORD is set but the admin already exists: the stored password was kept (no per-start override). */
  envPasswordIgnored?: boolean;
}

/**
 * Makes sure an admin exists. ADMIN_USERNAME / ADMIN_PASSWORD seed the admin when it is created; what is left
 * blank is generated and written to DATA_DIR/app/init.json (mode 0600), and only a scrypt hash goes to the store.
 * An admin that already exists is never changed here: a password set in the web admin survives restarts, and
 * `crs admin reset-password` is the way to reset one. (So no password is hashed or verified at an ordinary start.)
 */
export async function ensureAdmin(
  store: Store,
  clock: Clock,
  opts: { dataDir: string; fromEnv: { username: string | null; password: string | null } | null; scryptN?: number },
): Promise<EnsureAdminResult> {
  const now = clock.now();
  const N = opts.scryptN ?? SCRYPT_DEFAULT_N;
  const envUser = opts.fromEnv?.username ?? null;
  const envPassword = opts.fromEnv?.password ?? null;
  const exists = envUser !== null ? (await store.admins.get(envUser)) !== null : (await store.admins.count()) > 0;
  if (exists) return { username: envUser ?? '', source: 'existing', ...(envPassword !== null ? { envPasswordIgnored: true } : {}) };
  const username = envUser ?? `cr_admin_${randomHex(4)}`;
  const password = envPassword ?? randomPassword(20);
  await store.admins.put({ username, passwordHash: await hashPassword(password, N), createdAt: now, updatedAt: now });
  if (envUser !== null && envPassword !== null) return { username, source: 'env' };
  const dir = join(opts.dataDir, 'app');
  const file = join(dir, 'init.json');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(file)) chmodSync(file, 0o600);
  const doc = {
    initializedAt: new Date(now).toISOString(),
    adminUsername: username,
    // A password taken from .env is not copied here; only a generated one is.
    adminPassword: envPassword === null ? password : null,
    ...(envPassword !== null ? { passwordFrom: 'ADMIN_PASSWORD in .env' } : {}),
    ...(envUser !== null ? { usernameFrom: 'ADMIN_USERNAME in .env' } : {}),
  };
  writeFileSync(file, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return { username, source: 'generated', initFile: file };
}

/**
 * Ends the sessions of `username` (all but `exceptSid`) on every instance: the session records go from the store
 * and the change event empties every instance's session cache. Returns how many ended.
 */
export async function revokeAdminSessions(store: Store, username: string, exceptSid?: string): Promise<number> {
  const n = await store.adminSessions.removeByUser(username, exceptSid);
  store.publish({ entity: 'admin', id: username });
  return n;
}

const MAX_CACHED_SESSIONS = 10_000;

export class AdminAuth {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verify: (token: string) => { sub: string; exp: number; typ: string; sid?: unknown };
  private readonly limiter: LoginLimiter;
  private readonly scryptN: number;
  private readonly maxChecks: number;
  private readonly cacheMs: number;
  /** sid → (username, when the store last said it is live). */
  private readonly live = new Map<string, { username: string; at: number }>();
  private checking = 0;
  private readonly waiting: (() => void)[] = [];
  private dummy: Promise<string> | null = null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: AdminAuthOptions,
  ) {
    // Token times use the wall clock (fast-jwt reads it itself); the injected clock drives everything else.
    this.sign = createSigner({ key: opts.jwtSecret, algorithm: 'HS256', expiresIn: opts.sessionHours * 3_600_000 });
    this.verify = createVerifier({ key: opts.jwtSecret, algorithms: ['HS256'] }) as never;
    this.limiter = new LoginLimiter(opts.limiter);
    this.scryptN = opts.scryptN ?? SCRYPT_DEFAULT_N;
    this.maxChecks = opts.maxConcurrentChecks ?? 2;
    this.cacheMs = opts.sessionCacheMs ?? 5_000;
    // A revocation anywhere (this instance, another one, the CLI through SQLite's change poll) empties the cache.
    store.onChange((e) => {
      if (e.entity === 'admin' || e.entity === '*') this.live.clear();
    });
  }

  /**
   * Verifies credentials and opens a session; throws 401, or 429 with retry-after when the limiter refuses. The
   * attempt takes its slot before the password is checked.
   */
  async login(username: string, password: string, address: string): Promise<{ token: string } & AdminSession> {
    const attempt = this.limiter.reserve(address, this.clock.now());
    const user = await this.store.admins.get(username).catch((e: unknown) => {
      attempt.failed();
      throw e;
    });
    // Verify against a dummy hash for unknown users so timing does not reveal which usernames exist.
    const ok = await this.checkPassword(password, user?.passwordHash ?? (await this.dummyHash())).catch(() => false);
    if (!user || !ok) {
      attempt.failed();
      throw new RelayError('LOGIN_FAILED');
    }
    attempt.succeeded();
    // A hash made with a former (cheaper) cost is upgraded now that the password is known; updatedAt stays.
    if (needsRehash(user.passwordHash, this.scryptN)) {
      await this.store.admins.put({ ...user, passwordHash: await hashPassword(password, this.scryptN) });
    }
    const sid = randomHex(16);
    const ttlMs = this.opts.sessionHours * 3_600_000;
    await this.store.adminSessions.put({ sid, username: user.username, createdAt: this.clock.now(), ip: address }, ttlMs);
    const token = this.sign({ sub: user.username, typ: 'admin', sid });
    return { token, username: user.username, sid, expiresAt: this.clock.now() + ttlMs };
  }

  /** Returns the session of a valid, unrevoked token, or throws 401. */
  async authenticate(authorization: string | undefined): Promise<AdminSession> {
    const m = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
    if (!m) throw new RelayError('ADMIN_UNAUTHORIZED');
    let claims: ReturnType<AdminAuth['verify']>;
    try {
      claims = this.verify(m[1].trim());
      if (claims.typ !== 'admin' || typeof claims.sid !== 'string') throw new Error('not an admin session token');
    } catch {
      throw new RelayError('ADMIN_UNAUTHORIZED', 'Admin session is invalid or has expired; log in again');
    }
    const sid = claims.sid;
    if (!(await this.isLive(sid, claims.sub))) throw new RelayError('ADMIN_UNAUTHORIZED', 'Admin session was signed out; log in again');
    return { username: claims.sub, expiresAt: claims.exp * 1000, sid };
  }

  /** Ends one session (logout). */
  async logout(sid: string): Promise<void> {
    this.live.delete(sid);
    const rec = await this.store.adminSessions.remove(sid);
    this.store.publish({ entity: 'admin', id: rec?.username });
  }

  /** Ends every session of `username` but `exceptSid` ("log out everywhere"). */
  async logoutAll(username: string, exceptSid?: string): Promise<number> {
    this.live.clear();
    return revokeAdminSessions(this.store, username, exceptSid);
  }

  /** Sets a new password (CLI reset, settings page); every other session of that admin ends. */
  async setPassword(username: string, password: string, keepSid?: string): Promise<void> {
    const cur = await this.store.admins.get(username);
    const now = this.clock.now();
    await this.store.admins.put({ username, passwordHash: await hashPassword(password, this.scryptN), createdAt: cur?.createdAt ?? now, updatedAt: now });
    await this.logoutAll(username, keepSid);
  }

  /** Checks a password against this admin's stored hash (behind the same concurrency bound as logins). */
  async checkUserPassword(username: string, password: string): Promise<boolean> {
    const user = await this.store.admins.get(username);
    return user !== null && (await this.checkPassword(password, user.passwordHash));
  }

  /** True once an admin changed the password through the UI (then the login page no longer points at init.json). */
  async passwordChangedInUi(): Promise<boolean> {
    return (await this.store.kv.get(PASSWORD_CHANGED_KV)) !== null;
  }

  /** Remembers that an admin changed the password through the UI. */
  async markPasswordChangedInUi(): Promise<void> {
    await this.store.kv.set(PASSWORD_CHANGED_KV, '1');
  }

  /** Whether `username` still signs in with the generated first-start password (the UI then asks for a new one). */
  async mustChangePassword(username: string): Promise<boolean> {
    if (!/^cr_admin_/.test(username)) return false;
    if (await this.passwordChangedInUi()) return false;
    const user = await this.store.admins.get(username);
    return user !== null && user.updatedAt === user.createdAt;
  }

  private async isLive(sid: string, username: string): Promise<boolean> {
    const now = this.clock.now();
    const c = this.live.get(sid);
    if (c && now - c.at < this.cacheMs) return c.username === username;
    const rec = await this.store.adminSessions.get(sid);
    if (!rec || rec.username !== username) {
      this.live.delete(sid);
      return false;
    }
    if (this.live.size >= MAX_CACHED_SESSIONS) this.live.clear();
    this.live.set(sid, { username, at: now });
    return true;
  }

  /** scrypt, at most `maxConcurrentChecks` at once (a slot passes straight to the next waiter). */
  private async checkPassword(password: string, hash: string): Promise<boolean> {
    if (this.checking >= this.maxChecks) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.checking++;
    try {
      return await verifyPassword(password, hash);
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.checking--;
    }
  }

  /** A valid hash of a random string at the current cost, made once on first need. */
  private dummyHash(): Promise<string> {
    this.dummy ??= hashPassword(randomHex(16), this.scryptN);
    return this.dummy;
  }
}
