// How long an account cools down per failure class when the upstream did not say: configuration sets it
// (COOLDOWN_* and Settings › Relay behaviour), the health policy applies it (scheduling/health-policy.ts).

export interface CooldownPolicy {
  /** Seconds, when the upstream did not say how long. */
  rateLimitedSec: number;
  throttledSec: number;
  overloadedSec: number;
  serverErrorSec: number;
  networkSec: number;
  unauthorizedSec: number;
  /** A 403 without an account-level signal. */
  forbiddenSec: number;
  /** Longest cooldown any upstream hint may impose. */
  maxSec: number;
}
