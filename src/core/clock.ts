// Time as an injectable dependency, so tests can move it. The only module that reads the system's clocks.

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/**
 * Milliseconds since an arbitrary origin, never going backwards: for durations, deadlines of loops and timeouts
 * that run on real timers (a fake wall clock would never reach them), never for dates.
 */
export function monotonicNow(): number {
  return performance.now();
}

/** A clock tests can set and advance. */
export class ManualClock implements Clock {
  constructor(private t: number = Date.UTC(2026, 0, 1)) {}
  now(): number {
    return this.t;
  }
  set(t: number): void {
    this.t = t;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}
