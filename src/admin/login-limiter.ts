// Admin login attempts: an attempt takes a slot BEFORE its password is checked, so parallel guesses cannot all
// be checked at once, and only a successful login gives its slots back.
//
// Two limits, one process each (several relay instances multiply them, which still bounds guessing):
// - per source (an IPv4 address, or an IPv6 /64, since one host owns a whole /64): `perSource` attempts per window;
// - a global ceiling on attempts from sources that have never logged in here (`globalUntrusted` per window),
//   against floods from many addresses. A source that logged in successfully within `trustedForMs` is exempt
//   from the ceiling (its own per-source limit still applies), so a flood, from one address or many, never locks
//   the real admin out of a place they use; from a new place it may have to wait out the window, and
//   `crs admin reset-password` on the server always works.
import { isIP } from 'node:net';
import { RelayError } from '../core/errors.js';

export interface LoginLimiterOptions {
  /** Attempts per source per window (default 10). */
  perSource?: number;
  /** Attempts per window from all sources not trusted yet (default 100). */
  globalUntrusted?: number;
  windowMs?: number;
  /** How long a successful login makes its source trusted (default 30 days). */
  trustedForMs?: number;
}

/** A taken slot: say how the password check ended. */
export interface LoginAttempt {
  succeeded(): void;
  failed(): void;
}

interface Window {
  count: number;
  resetAt: number;
}

/** Bounds the memory a flood of distinct sources can take. */
const MAX_TRACKED = 50_000;

export class LoginLimiter {
  private readonly sources = new Map<string, Window>();
  private readonly trusted = new Map<string, number>();
  private global: Window = { count: 0, resetAt: 0 };
  private readonly perSource: number;
  private readonly globalUntrusted: number;
  private readonly windowMs: number;
  private readonly trustedForMs: number;

  constructor(opts: LoginLimiterOptions = {}) {
    this.perSource = opts.perSource ?? 10;
    this.globalUntrusted = opts.globalUntrusted ?? 100;
    this.windowMs = opts.windowMs ?? 15 * 60_000;
    this.trustedForMs = opts.trustedForMs ?? 30 * 86_400_000;
  }

  /** Takes a slot for an attempt from `address`, or throws LOGIN_RATE_LIMITED (with retry-after). */
  reserve(address: string, now: number): LoginAttempt {
    const source = sourceOf(address);
    const own = this.window(this.sources, source, now);
    if (own.count >= this.perSource) throw limited(own.resetAt, now);
    const isTrusted = (this.trusted.get(source) ?? 0) > now;
    if (!isTrusted) {
      if (this.global.resetAt <= now) this.global = { count: 0, resetAt: now + this.windowMs };
      if (this.global.count >= this.globalUntrusted) throw limited(this.global.resetAt, now);
      this.global.count++;
    }
    own.count++;
    const globalWindow = this.global;
    let settled = false;
    return {
      succeeded: () => {
        if (settled) return;
        settled = true;
        // The right password: this source's slots come back and it is trusted from now on.
        this.sources.delete(source);
        if (!isTrusted && globalWindow === this.global) this.global.count = Math.max(0, this.global.count - 1);
        if (this.trusted.size >= MAX_TRACKED) this.sweep(this.trusted, now, (t) => t);
        this.trusted.set(source, now + this.trustedForMs);
      },
      failed: () => {
        settled = true;
      },
    };
  }

  private window(map: Map<string, Window>, key: string, now: number): Window {
    let w = map.get(key);
    if (!w || w.resetAt <= now) {
      if (map.size >= MAX_TRACKED) this.sweep(map, now, (x) => x.resetAt);
      w = { count: 0, resetAt: now + this.windowMs };
      map.set(key, w);
    }
    return w;
  }

  private sweep<T>(map: Map<string, T>, now: number, until: (v: T) => number): void {
    for (const [k, v] of map) if (until(v) <= now) map.delete(k);
    // Still full of live entries (a flood of distinct sources): forget the oldest half rather than grow.
    if (map.size >= MAX_TRACKED) {
      let drop = map.size / 2;
      for (const k of map.keys()) {
        if (drop-- <= 0) break;
        map.delete(k);
      }
    }
  }
}

function limited(resetAt: number, now: number): RelayError {
  return new RelayError('LOGIN_RATE_LIMITED', undefined, { retryAfterSec: Math.max(1, Math.ceil((resetAt - now) / 1000)) });
}

/** The unit a limit applies to: the address itself, an IPv4-mapped IPv6 address as IPv4, other IPv6 as its /64. */
export function sourceOf(address: string): string {
  const a = address.trim().toLowerCase();
  if (isIP(a) !== 6) return a;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a);
  if (mapped) return mapped[1];
  const [head, tail = ''] = a.split('::');
  const h = head ? head.split(':') : [];
  const t = a.includes('::') && tail ? tail.split(':') : [];
  const groups = a.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return (
    groups
      .slice(0, 4)
      .map((g) => g.replace(/^0+(?=.)/, ''))
      .join(':') + '::/64'
  );
}
