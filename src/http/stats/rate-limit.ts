// A small limiter per client address (fixed periods) for the public key-holder endpoints (one process; a relay
// behind several instances limits per instance, which is enough to stop key guessing).
import type { Clock } from '../../core/clock.js';
import { RelayError } from '../../core/errors.js';

/** At most `max` hits per address per `periodMs`. ("Window" in this code is a key's rate-limit window or a
 * subscription account's usage window; this limiter's unit is called a period to keep the word for those.) */
export class AddressLimiter {
  private readonly hits = new Map<string, { count: number; resetAt: number }>();

  constructor(
    private readonly max: number,
    private readonly periodMs: number,
    private readonly clock: Clock,
  ) {}

  /** Counts a hit for `who`; throws RATE_LIMITED (with retry-after) once the period's allowance is used. */
  hit(who: string): void {
    const now = this.clock.now();
    let e = this.hits.get(who);
    if (!e || e.resetAt <= now) {
      if (this.hits.size > 50_000) this.sweep(now);
      e = { count: 0, resetAt: now + this.periodMs };
      this.hits.set(who, e);
    }
    e.count++;
    if (e.count > this.max) {
      throw new RelayError('RATE_LIMITED', 'Too many lookups from this address; wait and try again', {
        retryAfterSec: Math.max(1, Math.ceil((e.resetAt - now) / 1000)),
      });
    }
  }

  private sweep(now: number): void {
    for (const [k, e] of this.hits) if (e.resetAt <= now) this.hits.delete(k);
  }
}
