// Admin credentials and sessions: the first-start credentials (init.json or ADMIN_USERNAME/ADMIN_PASSWORD),
// scrypt-verified logins with a per-address attempt limit, and signed, expiring session tokens (JWT, HS256).
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createSigner, createVerifier } from 'fast-jwt';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { hashPassword, randomHex, randomPassword, verifyPassword } from '../platform/secrets.js';
import type { Store } from '../store/types.js';

export interface AdminAuthOptions {
  jwtSecret: string;
  sessionHours: number;
  /** Failed logins allowed per client address per window. */
  maxFailures?: number;
  windowMs?: number;
}

export interface AdminSession {
  username: string;
  expiresAt: number;
}

export interface EnsureAdminResult {
  username: string;
  /** 'env' = from ADMIN_USERNAME/ADMIN_PASSWORD; 'generated' = written to init.json now; 'existing' = nothing to do. */
  source: 'env' | 'generated' | 'existing';
  initFile?: string;
}

/**
 * Makes sure an admin exists. With ADMIN_USERNAME/ADMIN_PASSWORD set, that user gets that password at every start
 * (the environment is the source of truth). Otherwise, on first start, generated credentials go to
 * DATA_DIR/app/init.json (mode 0600) and only a scrypt hash goes to the store.
 */
export async function ensureAdmin(
  store: Store,
  clock: Clock,
  opts: { dataDir: string; fromEnv: { username: string; password: string } | null },
): Promise<EnsureAdminResult> {
  const now = clock.now();
  if (opts.fromEnv) {
    const cur = await store.admins.get(opts.fromEnv.username);
    if (!cur || !(await verifyPassword(opts.fromEnv.password, cur.passwordHash))) {
      await store.admins.put({
        username: opts.fromEnv.username,
        passwordHash: await hashPassword(opts.fromEnv.password),
        createdAt: cur?.createdAt ?? now,
        updatedAt: now,
      });
    }
    return { username: opts.fromEnv.username, source: 'env' };
  }
  if ((await store.admins.count()) > 0) return { username: '', source: 'existing' };
  const username = `cr_admin_${randomHex(4)}`;
  const password = randomPassword(20);
  const dir = join(opts.dataDir, 'app');
  const file = join(dir, 'init.json');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  if (existsSync(file)) chmodSync(file, 0o600);
  writeFileSync(file, JSON.stringify({ initializedAt: new Date(now).toISOString(), adminUsername: username, adminPassword: password }, null, 2) + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  await store.admins.put({ username, passwordHash: await hashPassword(password), createdAt: now, updatedAt: now });
  return { username, source: 'generated', initFile: file };
}

export class AdminAuth {
  private readonly sign: (payload: Record<string, unknown>) => string;
  private readonly verify: (token: string) => { sub: string; exp: number; typ: string };
  private readonly failures = new Map<string, { count: number; resetAt: number }>();
  private readonly maxFailures: number;
  private readonly windowMs: number;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly opts: AdminAuthOptions,
  ) {
    // Token times use the wall clock (fast-jwt reads it itself); the injected clock drives everything else.
    this.sign = createSigner({ key: opts.jwtSecret, algorithm: 'HS256', expiresIn: opts.sessionHours * 3_600_000 });
    this.verify = createVerifier({ key: opts.jwtSecret, algorithms: ['HS256'] }) as never;
    this.maxFailures = opts.maxFailures ?? 10;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
  }

  /** Verifies credentials; throws 401, or 429 with retry-after when the address has failed too often. */
  async login(username: string, password: string, address: string): Promise<{ token: string } & AdminSession> {
    const now = this.clock.now();
    const f = this.failures.get(address);
    if (f && f.resetAt <= now) this.failures.delete(address);
    const cur = this.failures.get(address);
    if (cur && cur.count >= this.maxFailures) {
      throw new RelayError('LOGIN_RATE_LIMITED', undefined, { retryAfterSec: Math.ceil((cur.resetAt - now) / 1000) });
    }
    const user = await this.store.admins.get(username);
    // Verify against a dummy hash for unknown users so timing does not reveal which usernames exist.
    const ok = await verifyPassword(password, user?.passwordHash ?? DUMMY_HASH);
    if (!user || !ok) {
      const entry = this.failures.get(address) ?? { count: 0, resetAt: now + this.windowMs };
      entry.count++;
      this.failures.set(address, entry);
      throw new RelayError('LOGIN_FAILED');
    }
    this.failures.delete(address);
    const token = this.sign({ sub: user.username, typ: 'admin' });
    return { token, username: user.username, expiresAt: Date.now() + this.opts.sessionHours * 3_600_000 };
  }

  /** Returns the session of a valid token, or throws 401. */
  authenticate(authorization: string | undefined): AdminSession {
    const m = authorization ? /^Bearer\s+(.+)$/i.exec(authorization) : null;
    if (!m) throw new RelayError('ADMIN_UNAUTHORIZED');
    try {
      const claims = this.verify(m[1].trim());
      if (claims.typ !== 'admin') throw new Error('wrong token type');
      return { username: claims.sub, expiresAt: claims.exp * 1000 };
    } catch {
      throw new RelayError('ADMIN_UNAUTHORIZED', 'Admin session is invalid or has expired; log in again');
    }
  }

  /** Sets a new password (CLI reset, settings page). */
  async setPassword(username: string, password: string): Promise<void> {
    const cur = await this.store.admins.get(username);
    const now = this.clock.now();
    await this.store.admins.put({ username, passwordHash: await hashPassword(password), createdAt: cur?.createdAt ?? now, updatedAt: now });
  }
}

// A valid scrypt hash of a random string, computed once: makes failed lookups cost the same as failed passwords.
const DUMMY_HASH = await hashPassword(randomHex(16));
