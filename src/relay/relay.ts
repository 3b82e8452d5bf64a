// The one orchestration path: choose candidates (bindings, sticky conversation, priority, least recently used,
// health) → try them in order while nothing has reached the client (failover) → stream the answer as it
// arrives while a tap reads usage → record exactly once.
import type { ServerResponse } from 'node:http';
import type { UsageRecorder } from '../accounting/recorder.js';
import type { Clock } from '../core/clock.js';
import { isRelayError, RelayError } from '../core/errors.js';
import { logRelayed, type Logger } from '../platform/logger.js';
import { isRetryable } from '../scheduling/failure.js';
import { modelFamily } from '../scheduling/health-policy.js';
import { needsAdmission } from '../core/api-key.js';
import { selectAccounts, type Exclusion, type Selection } from '../scheduling/selector.js';
import type { AccountHealth } from '../accounts/health/state.js';
import type { AccountPool, PoolAccount } from '../accounts/pool.js';
import type { Credentials } from '../accounts/credentials.js';
import type { StickySessions } from '../scheduling/sticky-sessions.js';
import type { UpstreamClient } from '../upstream/client.js';
import type { AccountSlotsRepo } from '../store/types.js';
import { attempt, type AttemptResult, type ClientState } from './attempt.js';
import type { FailedAnswer, RelayJob, RequestObserver } from './types.js';
import type { TapResult } from '../providers/types.js';

export interface RelayDeps {
  pool: AccountPool;
  upstream: UpstreamClient;
  recorder: UsageRecorder;
  health: AccountHealth;
  sticky: StickySessions;
  credentials: Credentials;
  /** Leases for accounts with a concurrency cap. */
  slots: AccountSlotsRepo;
  clock: Clock;
  log: Logger;
  /** Most accounts one request may try (failover bound); read per request (Settings › Relay behaviour). */
  maxAttempts: () => number;
  /** Told about every finished request (metrics); must not throw or block. */
  observers?: RequestObserver[];
  /** Sees the response head of every upstream answer (e.g. subscription usage windows). */
  observeUpstream?: (entry: PoolAccount, headers: Record<string, string | string[] | undefined>) => void;
}

/** What happened, for the usage record and observers. */
interface Outcome {
  account: PoolAccount | null;
  status: number;
  tap: TapResult | null;
  clientGone: boolean;
  errorCode: string | null;
  attempts: number;
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

function sendFailedAnswer(res: ServerResponse, a: FailedAnswer): void {
  res.writeHead(a.status, { ...a.headers, 'content-length': a.body.length });
  res.end(a.body);
}

/** The relay's own error when no account could be tried: 429 when all are rate-limited, else 503; retry-after when known. */
function noCandidateError(sel: Selection<PoolAccount>, now: number): RelayError {
  if (sel.bindingUnavailable) {
    const why = sel.bindingUnavailable.why;
    const retry = why.code === 'unhealthy' && why.availableAt ? Math.ceil((why.availableAt - now) / 1000) : undefined;
    return new RelayError('DEDICATED_ACCOUNT_UNAVAILABLE', `The account this key is bound to is unavailable (${why.code})`, { retryAfterSec: retry });
  }
  const excluded = sel.excluded();
  const unhealthy = excluded.map((e) => e.why).filter((w): w is Extract<Exclusion, { code: 'unhealthy' }> => w.code === 'unhealthy');
  const times = unhealthy.map((w) => w.availableAt).filter((t): t is number => t !== null);
  const retryAfterSec = times.length ? Math.max(1, Math.ceil((Math.min(...times) - now) / 1000)) : undefined;
  const rateLimitedOnly = unhealthy.length > 0 && unhealthy.every((w) => w.reasons.every((r) => r.code === 'rate_limited' || r.code === 'throttled'));
  if (rateLimitedOnly) return new RelayError('ACCOUNTS_RATE_LIMITED', undefined, { retryAfterSec });
  const counts = new Map<string, number>();
  for (const e of excluded) counts.set(e.why.code, (counts.get(e.why.code) ?? 0) + 1);
  const detail = [...counts].map(([k, v]) => `${v} ${k}`).join(', ');
  return new RelayError('NO_ACCOUNT', `No upstream account is available for this request${detail ? ` (${detail})` : ''}`, { retryAfterSec });
}

export async function relay(deps: RelayDeps, job: RelayJob): Promise<void> {
  const out: Outcome = { account: null, status: 0, tap: null, clientGone: false, errorCode: null, attempts: 0 };
  try {
    await tryCandidates(deps, job, out);
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

async function tryCandidates(deps: RelayDeps, job: RelayJob, out: Outcome): Promise<void> {
  const now = deps.clock.now();
  const family = modelFamily(job.model);
  // A binding memory knows is read without an await (most turns of a busy conversation).
  const known = job.conversation ? deps.sticky.known(job.key.id, job.conversation) : null;
  const sticky = known === undefined ? await deps.sticky.get(job.key.id, job.conversation!) : known;
  const sel = selectAccounts({
    accounts: deps.pool.serving(job.op),
    model: job.model,
    family,
    now,
    binding: job.binding,
    stickyAccountId: sticky,
    byId: (id) => deps.pool.servingOne(job.op, id),
    health: (id) => deps.health.get(id),
    inFlight: (id) => deps.pool.inFlight(id),
  });
  const next = (): PoolAccount | undefined => sel.candidates.next().value;
  let entry = next();
  if (!entry) throw noCandidateError(sel, now);

  const client: ClientState = { gone: false };
  let refreshed: Set<string> | null = null; // made on the first rejected credential
  let busy = 0;
  let last: Extract<AttemptResult, { kind: 'failed' }> | null = null;
  const maxAttempts = deps.maxAttempts();
  while (entry && out.attempts < maxAttempts) {
    out.account = entry;
    out.attempts++;
    const r = await attempt(deps, job, entry, client);
    if (r.kind === 'busy') {
      out.attempts--;
      out.account = null;
      busy++;
      entry = next();
      continue;
    }
    if (r.kind === 'client_gone') {
      out.clientGone = true;
      out.status = r.status;
      out.tap = r.tap;
      return;
    }
    if (r.kind === 'done') {
      out.status = r.status;
      out.tap = r.tap;
      out.errorCode = r.streamError;
      void deps.health.recordSuccess(entry.id);
      // Not awaited: the answer is complete; recording it must not wait on a store round trip.
      if (job.conversation)
        deps.sticky.bind(job.key.id, job.conversation, entry.id).catch((e: unknown) => deps.log.warn({ err: (e as Error).message }, 'sticky bind failed'));
      return;
    }
    // A rejected credential that can be refreshed gets one refresh and one more try on the same account.
    if (r.cls.kind === 'unauthorized' && entry.adapter.refresh && !refreshed?.has(entry.id)) {
      (refreshed ??= new Set()).add(entry.id);
      if ((await deps.credentials.refreshAfterUnauthorized(entry)) !== null) continue;
    }
    last = r;
    await deps.health.report(entry.id, r.cls, { httpStatus: r.status || undefined, requestId: job.requestId });
    deps.log.warn({ requestId: job.requestId, accountId: entry.id, kind: r.cls.kind, status: r.status, attempt: out.attempts }, 'attempt failed');
    if (!isRetryable(r.cls.kind)) break;
    entry = next();
  }
  // Every try failed: the client sees the last upstream answer as it was (or the relay's transport error).
  if (!last)
    throw new RelayError('NO_ACCOUNT', busy ? `Every account that can serve this request is at its concurrency limit (${busy})` : undefined, {
      retryAfterSec: busy ? 1 : undefined,
    });
  out.status = last.status;
  out.errorCode = last.error?.code ?? `upstream_${last.cls.kind}`;
  if (last.answer) sendFailedAnswer(job.res, job.translate ? job.translate.failure(last.answer) : last.answer);
  else throw last.error ?? new RelayError('UPSTREAM_UNREACHABLE');
}

function finish(deps: RelayDeps, job: RelayJob, out: Outcome): void {
  const durationMs = deps.clock.now() - job.startedAt;
  const tap = out.tap;
  // Partial: the upstream started answering but the answer did not reach its end (client gone, stream cut).
  const partial = out.status > 0 && out.status < 400 && (out.clientGone || (tap !== null && !tap.complete));
  const status = out.clientGone ? 499 : out.status;
  const errorCode = out.errorCode ?? (tap?.errorType ? `upstream_${tap.errorType}` : null);
  const model = tap?.model ?? job.model;
  let costNanos = 0;
  if (job.record) {
    costNanos = deps.recorder.record({
      requestId: job.requestId,
      ts: job.startedAt,
      keyId: job.key.id,
      accountId: out.account?.id ?? null,
      model,
      endpoint: job.endpoint,
      stream: job.stream,
      status,
      durationMs,
      usage: tap?.usage ?? null,
      partial,
      errorCode,
      weeklyLabel: job.weeklyLabel,
      settle: needsAdmission(job.key.limits),
    }).costNanos;
  }
  if (deps.observers?.length) {
    const outcome = {
      requestId: job.requestId,
      endpoint: job.endpoint,
      keyId: job.key.id,
      accountId: out.account?.id ?? null,
      model,
      stream: job.stream,
      status,
      durationMs,
      usage: tap?.usage ?? null,
      costNanos,
      errorCode,
      attempts: out.attempts,
    };
    for (const o of deps.observers) o(outcome);
  }
  logRelayed(
    deps.log,
    {
      requestId: job.requestId,
      keyId: job.key.id,
      accountId: out.account?.id,
      model: job.model,
      status,
      durationMs,
      stream: job.stream,
      attempts: out.attempts,
    },
    'relayed',
  );
}
