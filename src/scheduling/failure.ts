// The vocabulary between providers (which classify a failed upstream answer once) and the health policy
// (which alone decides what a class does to an account).

/** A failed attempt as the relay saw it. */
export interface UpstreamFailure {
  /** HTTP status; 0 for transport failures (connect error, reset, timeout). */
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The start of the error body (bounded), parsed when it was JSON. */
  body: unknown;
  /** Transport failure code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, …) when status is 0. */
  transportCode?: string;
  /** When the attempt happened (epoch ms). */
  at: number;
}

export type FailureKind =
  /** 429 with an authoritative reset: the account is out of quota until `until`. */
  | 'rate_limited'
  /** 429 without a reset header: a short throttle, not exhausted quota. */
  | 'throttled'
  /** 529: upstream capacity, not the account's fault. */
  | 'overloaded'
  /** 401: credentials rejected (after a refresh, for OAuth). */
  | 'unauthorized'
  /**
   * The upstream's documented account-level signal (organisation disabled, OAuth not allowed for the
   * organisation, billing): needs an operator.
   */
  | 'blocked'
  /** Any other 403: a short cooldown (a key holder can provoke one, so it never takes an account out for good). */
  | 'forbidden'
  /** 5xx other than 529. */
  | 'server_error'
  /** Connect error, reset, timeout. */
  | 'network'
  /** The request itself is wrong (400, 404, 413, …): no account would do better. */
  | 'client_error';

export interface FailureClass {
  kind: FailureKind;
  /** Epoch ms the upstream says the condition lasts until (reset headers, retry-after). */
  until?: number;
  /** Short human reason (from the upstream message when useful). */
  reason: string;
  /** A model family the limit applies to (opus/sonnet/haiku), when the upstream scoped it. */
  modelFamily?: string;
}

/** Failures worth trying another account for, while nothing has reached the client. */
export function isRetryable(kind: FailureKind): boolean {
  return kind !== 'client_error';
}
