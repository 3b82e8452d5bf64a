// Money is kept as integer nano-USD (1e-9 USD) so sums are exact; the wire shows USD and micro-USD.

export const NANOS_PER_USD = 1_000_000_000;

export function usdToNanos(usd: number): number {
  return Math.round(usd * NANOS_PER_USD);
}

export function nanosToUsd(nanos: number): number {
  return nanos / NANOS_PER_USD;
}

/** Integer micro-USD, the unit of the admin API (`costMicros`). */
export function nanosToMicros(nanos: number): number {
  return Math.round(nanos / 1000);
}
