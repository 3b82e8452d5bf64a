// What the relay needs from the HTTP surface that called it.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { ApiKey } from '../core/api-key.js';
import type { Operation } from '../providers/types.js';
import type { RelayError } from '../core/errors.js';
import type { Usage } from '../core/usage.js';
import type { SseEvent } from '../platform/sse.js';

/** How an API surface renders the relay's own errors on its wire. */
export interface ErrorRenderer {
  /** Body and headers of an error response sent before anything else. */
  json(err: RelayError, requestId: string): { status: number; headers: Record<string, string>; body: string };
  /** An SSE error event for a stream that has already started. */
  sseEvent(err: RelayError, requestId: string): string;
}

export interface RelayJob {
  requestId: string;
  startedAt: number;
  key: ApiKey;
  /** Endpoint label for usage records, e.g. '/v1/messages'. */
  endpoint: string;
  /** The upstream operation; only accounts whose kind serves it are candidates, and the kind names its path. */
  op: Operation;
  /** Query string to forward (known parameters only, e.g. '?beta=true'), or ''. */
  query: string;
  /** The bytes to send upstream (the client's own when no translation is needed). */
  body: Buffer;
  /** The upstream body as an object, parsed on first use (only a model mapping or an envelope needs it). */
  json: () => Record<string, unknown>;
  model: string;
  /** Conversation id for sticky routing (scheduling/session-id.ts), or null. */
  conversation: string | null;
  /** The key's binding to one account or a group. */
  binding?: { accountId?: string; groupId?: string; allowFallback?: boolean };
  /** The key's week label when this request's cost counts toward a weekly cap (from its admission), else null. */
  weeklyLabel: string | null;
  stream: boolean;
  /** Record usage (false for count_tokens, which costs nothing). */
  record: boolean;
  clientHeaders: IncomingHttpHeaders;
  res: ServerResponse;
  errors: ErrorRenderer;
  /** Turns the upstream's answer into the client's protocol; absent when both speak the same wire. */
  translate?: AnswerTranslator;
  /**
   * Called once the relay has committed to an answer (no other attempt can follow): drops every reference to the
   * request's body, so a long stream does not keep the prompt in memory. `body` and `json` are not read after it.
   */
  release?: () => void;
}

/** The upstream's failed answer, kept whole so it can be replayed to the client if no other account does better. */
export interface FailedAnswer {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

/** Converts a successful answer as it streams: bytes in (upstream wire), bytes out (client wire). */
export interface AnswerConverter {
  /** Content-Type of what the converter writes. */
  readonly contentType: string;
  push(chunk: Buffer): string;
  /** Called once when the upstream answer ended (cleanly or not); returns the last bytes to write. */
  end(): string;
  /**
   * Converters that parse the upstream's SSE: from now on, every event they parse goes to `listener` as well (all
   * of the answer's, also those after the conversion has finished), so a usage tap need not parse the same bytes.
   */
  shareEvents?(listener: (ev: SseEvent) => void): void;
}

/** How a surface that translates shows the upstream's answers to its client. */
export interface AnswerTranslator {
  /** A converter for a successful answer, or null to pass it through as it is. */
  success(sse: boolean): AnswerConverter | null;
  /** A failed upstream answer, in the client's error shape. */
  failure(answer: FailedAnswer): FailedAnswer;
}

/** What observers (metrics) learn about every relayed request when it ends. */
export interface RequestOutcome {
  requestId: string;
  endpoint: string;
  keyId: string;
  accountId: string | null;
  model: string;
  stream: boolean;
  /** Status the client saw (499 when it went away first). */
  status: number;
  durationMs: number;
  usage: Usage | null;
  costNanos: number;
  errorCode: string | null;
  /** Accounts tried (failover makes it > 1). */
  attempts: number;
}

export type RequestObserver = (outcome: RequestOutcome) => void;
