// What the relay records once per request, and the aggregate rows the store keeps.
import type { Usage } from './usage.js';

export type Granularity = 'hour' | 'day' | 'month';
export const GRANULARITIES: readonly Granularity[] = ['hour', 'day', 'month'];

/** Bucket labels in the reporting time zone: `2026-11-26T14`, `2026-11-26`, `2026-11`. */
export interface BucketLabels {
  hour: string;
  day: string;
  month: string;
}

/** One relayed request, as recorded (exactly once) when it ends. */
export interface UsageEvent {
  requestId: string;
  /** Epoch ms when the request started. */
  ts: number;
  keyId: string;
  accountId: string | null;
  model: string;
  endpoint: string;
  stream: boolean;
  /** HTTP status the client saw (or 499 when it went away). */
  status: number;
  durationMs: number;
  usage: Usage;
  costNanos: number;
  /** True when the stream ended early (client gone or upstream cut): usage is what the upstream reported so far. */
  partial: boolean;
  errorCode: string | null;
  buckets: BucketLabels;
}

/** One aggregate row: counters for (bucket, key, account, model). */
export interface UsageRow extends Usage {
  bucket: string;
  keyId: string;
  accountId: string;
  model: string;
  requests: number;
  /** Requests that ended with a status >= 400. */
  errors: number;
  costNanos: number;
}

export interface UsageQuery {
  granularity: Granularity;
  /** Inclusive bucket labels of the same granularity. */
  fromBucket: string;
  toBucket: string;
  keyId?: string;
  accountId?: string;
  model?: string;
}
