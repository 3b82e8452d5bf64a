// What the relay needs from the HTTP surface that called it.
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AccountKind } from '../core/account.js';
import type { ApiKey } from '../core/api-key.js';
import type { RelayError } from '../core/errors.js';

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
  /** Path after the upstream API root, with the query to forward (e.g. '/v1/messages?beta=true'). */
  upstreamPath: string;
  accountKind: AccountKind;
  body: Buffer;
  /** The parsed body (used only when a model mapping requires re-serialising it). */
  json: Record<string, unknown>;
  model: string;
  /** Conversation id for sticky routing (scheduling/session-id.ts), or null. */
  conversation: string | null;
  /** The key's binding to one account or a group. */
  binding?: { accountId?: string; groupId?: string; allowFallback?: boolean };
  /** What the key's admission holds (a concurrency lease); released when the request ends. */
  admission?: import('../services/key-gate.js').Admission;
  stream: boolean;
  /** Record usage (false for count_tokens, which costs nothing). */
  record: boolean;
  clientHeaders: IncomingHttpHeaders;
  res: ServerResponse;
  errors: ErrorRenderer;
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
  usage: import('../core/usage.js').Usage | null;
  costNanos: number;
  errorCode: string | null;
  /** Accounts tried (failover makes it > 1). */
  attempts: number;
}

export type RequestObserver = (outcome: RequestOutcome) => void;
