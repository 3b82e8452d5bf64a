// The one orchestration path: pick an account → send → stream the answer back as it arrives while a tap reads
// usage → record exactly once. (Failover across candidates and the health policy plug in around `attempt`.)
import type { ServerResponse } from 'node:http';
import type { Clock } from '../core/clock.js';
import { isRelayError, RelayError } from '../core/errors.js';
import type { UsageRecorder } from '../accounting/recorder.js';
import type { Logger } from '../platform/logger.js';
import { clientResponseHeaders, upstreamRequestHeaders } from '../providers/anthropic-api/request.js';
import { AnthropicJsonTap, AnthropicStreamTap, type TapResult, type UsageTap } from '../providers/anthropic-api/usage.js';
import type { AccountPool, PoolAccount } from '../services/account-pool.js';
import { toRelayError, type UpstreamClient, type UpstreamResponse } from '../upstream/client.js';
import type { RelayJob, RequestObserver } from './types.js';

export interface RelayDeps {
  pool: AccountPool;
  upstream: UpstreamClient;
  recorder: UsageRecorder;
  clock: Clock;
  log: Logger;
  /** Told about every finished request (metrics); must not throw or block. */
  observers?: RequestObserver[];
}

/** Outcome of one request, for the usage record. */
interface Outcome {
  account: PoolAccount | null;
  status: number;
  tap: TapResult | null;
  clientGone: boolean;
  errorCode: string | null;
}

/**
 * Forwards the upstream body to the client chunk by chunk as it arrives (data events: no promise per chunk),
 * feeding the tap, pausing on back-pressure. Rejects on an upstream body error; resolves at the end or when the
 * client is gone.
 */
function pump(body: UpstreamResponse['body'], res: ServerResponse, tap: UsageTap | null, out: Outcome): Promise<void> {
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      tap?.push(chunk);
      if (!res.write(chunk)) {
        body.pause();
        res.once('drain', () => body.resume());
      }
    };
    const onClose = () => {
      if (out.clientGone) done();
    };
    const done = () => {
      body.off('data', onData);
      res.off('close', onClose);
      resolve();
    };
    body.on('data', onData);
    body.once('end', done);
    body.once('error', (e) => {
      res.off('close', onClose);
      reject(e);
    });
    res.on('close', onClose);
  });
}

export function sendRelayError(res: ServerResponse, job: Pick<RelayJob, 'errors' | 'requestId'>, err: RelayError): void {
  if (res.headersSent) {
    if (!res.writableEnded) res.end(job.errors.sseEvent(err, job.requestId));
    return;
  }
  const r = job.errors.json(err, job.requestId);
  res.writeHead(r.status, { ...r.headers, 'content-length': Buffer.byteLength(r.body) });
  res.end(r.body);
}

export async function relay(deps: RelayDeps, job: RelayJob): Promise<void> {
  const out: Outcome = { account: null, status: 0, tap: null, clientGone: false, errorCode: null };
  try {
    const candidates = deps.pool.candidates(job.accountKind);
    if (candidates.length === 0) throw new RelayError('NO_ACCOUNT');
    await attempt(deps, job, candidates[0], out);
  } catch (e) {
    const err = isRelayError(e) ? e : new RelayError('INTERNAL', undefined, { cause: e });
    if (!isRelayError(e)) deps.log.error({ err: e, requestId: job.requestId }, 'relay failed');
    out.errorCode = err.code;
    if (!job.res.headersSent) out.status = err.status;
    if (!out.clientGone) sendRelayError(job.res, job, err);
  } finally {
    finish(deps, job, out);
  }
}

async function attempt(deps: RelayDeps, job: RelayJob, account: PoolAccount, out: Outcome): Promise<void> {
  const { res } = job;
  out.account = account;
  deps.pool.markUsed(account.account.id);
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) {
      out.clientGone = true;
      abort.abort();
    }
  };
  res.on('close', onClose);
  try {
    const upHeaders = upstreamRequestHeaders(job.clientHeaders);
    account.adapter.applyAuth(upHeaders, account.secrets);
    let upstream;
    try {
      upstream = await deps.upstream.send({
        origin: account.origin,
        path: account.basePath + job.upstreamPath,
        method: 'POST',
        headers: upHeaders,
        body: job.body,
        signal: abort.signal,
        proxyUrl: account.proxyUrl,
      });
    } catch (e) {
      if (out.clientGone) return;
      throw e;
    }
    out.status = upstream.statusCode;
    const headers = clientResponseHeaders(upstream.headers);
    const contentType = String(upstream.headers['content-type'] ?? '');
    const isSse = contentType.startsWith('text/event-stream');
    if (isSse) {
      headers['cache-control'] = 'no-cache';
      headers['x-accel-buffering'] = 'no';
    } else if (upstream.headers['content-length'] !== undefined) {
      // A known length spares the client chunked framing (and the relay extra writes).
      headers['content-length'] = upstream.headers['content-length'];
    }
    res.writeHead(upstream.statusCode, headers);
    const tap: UsageTap | null = !job.record ? null : isSse ? new AnthropicStreamTap() : new AnthropicJsonTap();
    try {
      await pump(upstream.body, res, tap, out);
    } catch (e) {
      if (!out.clientGone) {
        const err = toRelayError(e);
        const relayErr = isRelayError(err) ? err : new RelayError('UPSTREAM_STREAM_ERROR');
        out.errorCode = relayErr.code === 'UPSTREAM_TIMEOUT' ? 'UPSTREAM_TIMEOUT' : 'UPSTREAM_STREAM_ERROR';
        deps.log.warn({ requestId: job.requestId, accountId: account.account.id, err: (e as Error).message }, 'upstream stream failed');
        if (isSse) res.end(job.errors.sseEvent(new RelayError(out.errorCode as 'UPSTREAM_STREAM_ERROR'), job.requestId));
        else res.destroy();
      }
    } finally {
      out.tap = tap?.finish() ?? null;
      if (out.clientGone) upstream.body.destroy();
    }
    if (!res.writableEnded && !out.clientGone) res.end();
  } finally {
    res.off('close', onClose);
  }
}

function finish(deps: RelayDeps, job: RelayJob, out: Outcome): void {
  const durationMs = deps.clock.now() - job.startedAt;
  const tap = out.tap;
  // Partial: the upstream started answering but the answer did not reach its end (client gone, stream cut).
  const partial = out.status > 0 && out.status < 400 && (out.clientGone || (tap !== null && !tap.complete));
  const status = out.clientGone ? 499 : out.status;
  let costNanos = 0;
  if (job.record) {
    costNanos = deps.recorder.record({
      requestId: job.requestId,
      ts: job.startedAt,
      keyId: job.key.id,
      accountId: out.account?.account.id ?? null,
      model: tap?.model ?? job.model,
      endpoint: job.endpoint,
      stream: job.stream,
      status,
      durationMs,
      usage: tap?.usage ?? null,
      partial,
      errorCode: out.errorCode ?? (tap?.errorType ? `upstream_${tap.errorType}` : null),
    }).costNanos;
  }
  if (deps.observers?.length) {
    const outcome = {
      requestId: job.requestId,
      endpoint: job.endpoint,
      keyId: job.key.id,
      accountId: out.account?.account.id ?? null,
      model: tap?.model ?? job.model,
      stream: job.stream,
      status,
      durationMs,
      usage: tap?.usage ?? null,
      costNanos,
      errorCode: out.errorCode,
      attempts: out.account ? 1 : 0,
    };
    for (const o of deps.observers) o(outcome);
  }
  deps.log.info(
    { requestId: job.requestId, keyId: job.key.id, accountId: out.account?.account.id, model: job.model, status, durationMs, stream: job.stream },
    'relayed',
  );
}
