// One attempt on one account: send, and either stream a good answer to the client (committed: no retry after
// this) or hand back a failure, classified, with the upstream's error bytes kept so the last one can still be
// shown to the client as the upstream sent it. Nothing reaches the client from a failed attempt.
import type { ServerResponse } from 'node:http';
import { isRelayError, RelayError } from '../core/errors.js';
import { upstreamBody, upstreamPath } from '../providers/outgoing.js';
import type { TapResult, UsageTap } from '../providers/types.js';
import type { FailureClass } from '../scheduling/failure.js';
import { upstreamModel } from '../scheduling/selector.js';
import type { PoolAccount } from '../accounts/pool.js';
import { toRelayError } from '../upstream/client.js';
import type { UpstreamExchange } from '../upstream/exchange.js';
import { newId } from '../core/ids.js';
import { tryParseJson } from '../platform/json-fields.js';
import type { RelayDeps } from './relay.js';
import type { AnswerConverter, FailedAnswer, RelayJob } from './types.js';

const MAX_ERROR_BODY = 256 * 1024;

export type AttemptResult =
  | { kind: 'done'; status: number; tap: TapResult | null; streamError: string | null }
  /** The account's concurrency cap is reached (on any instance): try the next one, no health change. */
  | { kind: 'busy' }
  | { kind: 'client_gone'; status: number; tap: TapResult | null }
  | { kind: 'failed'; cls: FailureClass; status: number; answer: FailedAnswer | null; error: RelayError | null };

/** Per-attempt view of the client connection. */
export interface ClientState {
  gone: boolean;
}

function bodyFor(job: RelayJob, entry: PoolAccount, model: string, secrets: unknown): Buffer {
  const b = upstreamBody(entry.adapter, job.op, { json: job.json, requestedModel: job.model, model, secrets });
  return b === null ? job.body : Buffer.from(JSON.stringify(b)); // null: bytes go out exactly as they came in
}

/** Two rewriters in a row (the kind's unwrapping, then the surface's translation); either may be absent. */
function chain(first: AnswerConverter | null, then: AnswerConverter | null): AnswerConverter | null {
  if (!first || !then) return first ?? then;
  const feed = (s: string) => (s.length > 0 ? then.push(Buffer.from(s)) : '');
  return { contentType: then.contentType, push: (c) => feed(first.push(c)), end: () => feed(first.end()) + then.end() };
}

function readBounded(body: UpstreamExchange): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    body.read({
      data: (c) => {
        size += c.length;
        if (size <= MAX_ERROR_BODY) chunks.push(c);
        return true;
      },
      end: () => resolve(Buffer.concat(chunks)),
      error: reject,
    });
  });
}

/** Takes a slot of an account with a concurrency cap (a store lease, so the cap holds across instances). */
async function accountSlot(deps: RelayDeps, entry: PoolAccount): Promise<(() => void) | null> {
  const leaseId = newId();
  const taken = await deps.slots.acquire(entry.id, { leaseId, limit: entry.maxConcurrency, ttlMs: ACCOUNT_LEASE_MS, now: deps.clock.now() });
  if (!taken) return null;
  return () => void deps.slots.release(entry.id, leaseId).catch(() => undefined);
}

/** Longest a crashed instance can hold an account slot. */
const ACCOUNT_LEASE_MS = 15 * 60_000;

export function attempt(deps: RelayDeps, job: RelayJob, entry: PoolAccount, client: ClientState): Promise<AttemptResult> {
  // An account without a cap has no slot to take or give back: two async frames fewer per request.
  return entry.maxConcurrency > 0 ? attemptInSlot(deps, job, entry, client) : attemptOn(deps, job, entry, client);
}

async function attemptInSlot(deps: RelayDeps, job: RelayJob, entry: PoolAccount, client: ClientState): Promise<AttemptResult> {
  const releaseSlot = await accountSlot(deps, entry);
  if (!releaseSlot) return { kind: 'busy' };
  try {
    return await attemptOn(deps, job, entry, client);
  } finally {
    releaseSlot();
  }
}

async function attemptOn(deps: RelayDeps, job: RelayJob, entry: PoolAccount, client: ClientState): Promise<AttemptResult> {
  const { res } = job;
  let upstream: UpstreamExchange | null = null;
  const onClose = () => {
    if (!res.writableFinished) {
      client.gone = true;
      upstream?.abort();
    }
  };
  res.on('close', onClose);
  deps.pool.acquire(entry.id);
  deps.pool.markUsed(entry.id);
  try {
    const { wire } = entry.adapter;
    const headers = wire.requestHeaders(job.clientHeaders);
    const secrets = await deps.credentials.current(entry);
    entry.adapter.applyAuth(headers, secrets);
    const model = upstreamModel(entry, job.model);
    if (client.gone) return { kind: 'client_gone', status: 0, tap: null };
    upstream = deps.upstream.exchange({
      origin: entry.origin,
      path: entry.basePath + (upstreamPath(entry.adapter, job.op, model) ?? '') + job.query,
      method: 'POST',
      headers,
      body: bodyFor(job, entry, model, secrets),
      proxyUrl: entry.proxyUrl,
    });
    try {
      await upstream.head;
    } catch (e) {
      if (client.gone) return { kind: 'client_gone', status: 0, tap: null };
      const err = toRelayError(e);
      const relayErr = isRelayError(err) ? err : new RelayError('UPSTREAM_UNREACHABLE');
      const code = (e as { code?: string; cause?: { code?: string } })?.code ?? (e as { cause?: { code?: string } })?.cause?.code;
      const cls = entry.adapter.classify({ status: 0, headers: {}, body: undefined, transportCode: code ?? relayErr.code, at: deps.clock.now() });
      return { kind: 'failed', cls, status: relayErr.status, answer: null, error: relayErr };
    }
    deps.observeUpstream?.(entry, upstream.headers);
    if (upstream.statusCode >= 400) {
      const body = await readBounded(upstream).catch(() => Buffer.alloc(0));
      const cls = entry.adapter.classify({
        status: upstream.statusCode,
        headers: upstream.headers,
        body: tryParseJson(body.toString('utf8')),
        at: deps.clock.now(),
      });
      return {
        kind: 'failed',
        cls,
        status: upstream.statusCode,
        answer: { status: upstream.statusCode, headers: wire.responseHeaders(upstream.headers), body },
        error: null,
      };
    }
    return await stream(deps, job, entry, upstream, client);
  } finally {
    res.off('close', onClose);
    // Normally the answer was read to its end (a no-op then); after an unexpected throw the connection is freed.
    upstream?.abort();
    deps.pool.release(entry.id);
  }
}

/** Streams a 2xx answer: commits to this account unless the very first SSE event is an error. */
async function stream(deps: RelayDeps, job: RelayJob, entry: PoolAccount, upstream: UpstreamExchange, client: ClientState): Promise<AttemptResult> {
  const { res } = job;
  const { wire } = entry.adapter;
  const headers = wire.responseHeaders(upstream.headers);
  const isSse = String(upstream.headers['content-type'] ?? '').startsWith('text/event-stream');
  const body = upstream;
  const tap: UsageTap | null = job.record ? wire.tap(job.op, isSse) : null;
  let first: Buffer | null = null;
  if (isSse) {
    try {
      first = await firstChunk(body);
    } catch (e) {
      // Headers came but no event did (idle timeout, reset): nothing reached the client yet, so it can fail over.
      if (client.gone) return { kind: 'client_gone', status: upstream.statusCode, tap: null };
      const err = toRelayError(e);
      const relayErr = isRelayError(err) ? err : new RelayError('UPSTREAM_STREAM_ERROR');
      const code = (e as { code?: string }).code ?? relayErr.code;
      const cls = entry.adapter.classify({ status: 0, headers: {}, body: undefined, transportCode: code, at: deps.clock.now() });
      return { kind: 'failed', cls, status: relayErr.status, answer: null, error: relayErr };
    }
    const err = first && wire.streamStartError ? wire.streamStartError(first) : null;
    if (err) {
      const rest = await readBounded(body).catch(() => Buffer.alloc(0));
      const cls = entry.adapter.classify({ status: err.status, headers: upstream.headers, body: err.body, at: deps.clock.now() });
      return {
        kind: 'failed',
        cls,
        status: upstream.statusCode,
        answer: { status: upstream.statusCode, headers, body: Buffer.concat([first!, rest]) },
        error: null,
      };
    }
    headers['cache-control'] = 'no-cache';
    headers['x-accel-buffering'] = 'no';
  }
  const unwrap = entry.adapter.envelopes?.[job.op]?.unwrap?.(isSse) ?? null;
  if (!isSse && upstream.headers['content-length'] !== undefined && !job.translate && !unwrap) {
    // A known length spares the client chunked framing (and the relay extra writes).
    headers['content-length'] = upstream.headers['content-length'];
  }
  const conv = chain(unwrap, job.translate?.success(isSse) ?? null);
  if (conv) headers['content-type'] = conv.contentType;
  // A converter that parses the upstream's SSE hands its events to the tap, which then reads no bytes (one parse, not
  // two). Not through an envelope: what the converter parses then is the unwrapped stream.
  let bytesTap = tap;
  if (isSse && !unwrap && tap?.event && conv?.shareEvents) {
    conv.shareEvents(tap.event.bind(tap));
    bytesTap = null;
  }
  if (client.gone) {
    body.abort();
    return { kind: 'client_gone', status: upstream.statusCode, tap: tap?.finish() ?? null };
  }
  res.writeHead(upstream.statusCode, headers);
  job.release?.();
  let streamError: string | null = null;
  try {
    if (first) {
      bytesTap?.push(first);
      write(res, conv, first);
    }
    await pump(body, res, bytesTap, conv, client);
  } catch (e) {
    if (!client.gone) {
      const err = toRelayError(e);
      streamError = isRelayError(err) && err.code === 'UPSTREAM_TIMEOUT' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_STREAM_ERROR';
      deps.log.warn({ requestId: job.requestId, accountId: entry.id, err: (e as Error).message }, 'upstream stream failed');
      if (isSse) res.end(job.errors.sseEvent(new RelayError(streamError as 'UPSTREAM_STREAM_ERROR'), job.requestId));
      else res.destroy();
    }
  }
  // After the response ended (pump): what the converter parsed at its end has reached a tap that shares its events.
  const tapped = tap?.finish() ?? null;
  if (client.gone) {
    body.abort();
    return { kind: 'client_gone', status: upstream.statusCode, tap: tapped };
  }
  if (!res.writableEnded) res.end();
  return { kind: 'done', status: upstream.statusCode, tap: tapped, streamError };
}

/** Writes a chunk as it came, or what the converter makes of it; false when the socket asks to wait. */
function write(res: ServerResponse, conv: AnswerConverter | null, chunk: Buffer): boolean {
  if (!conv) return res.write(chunk);
  const out = conv.push(chunk);
  return out.length === 0 || res.write(out);
}

/** The first chunk of the body (null when it ends without one); the body is left paused, unread. */
function firstChunk(body: UpstreamExchange): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    body.read({
      data: (c) => {
        body.detach();
        resolve(c);
        return true;
      },
      end: () => resolve(null),
      error: reject,
    });
  });
}

/**
 * Forwards the body to the client chunk by chunk as it arrives, feeding the tap, pausing on back-pressure, and ends
 * the response with the body. Rejects on an upstream body error; resolves at the end or when the client is gone.
 */
function pump(body: UpstreamExchange, res: ServerResponse, tap: UsageTap | null, conv: AnswerConverter | null, client: ClientState): Promise<void> {
  return new Promise((resolve, reject) => {
    const resume = () => body.resume();
    const onClose = () => {
      if (client.gone) done();
    };
    const unlisten = () => {
      res.off('close', onClose);
      res.off('drain', resume);
    };
    const done = () => {
      body.detach();
      unlisten();
      resolve();
    };
    const fail = (e: Error) => {
      unlisten();
      reject(e);
    };
    res.on('close', onClose);
    body.read({
      data: (chunk) => {
        tap?.push(chunk);
        if (write(res, conv, chunk)) return true;
        res.once('drain', resume);
        return false;
      },
      end: () => {
        // Ended in the tick of the last chunk, so both leave in one write: Node holds a response's writes until the
        // next tick, and end() sends what is held. The converter ends first, its tail the response's last bytes.
        try {
          if (!client.gone && !res.writableEnded) res.end(conv ? conv.end() : undefined);
        } catch (e) {
          return fail(e as Error);
        }
        done();
      },
      error: fail,
    });
  });
}
