// One short request through an account (and its proxy) that proves it answers: the admin Test button and the
// scheduled tests both send it. The outcome is kept as the account's last test (a scheduled run also joins the
// scheduled-test log); an error text never carries the account's credentials.
import { monotonicNow, type Clock } from '../core/clock.js';
import { isRelayError, RelayError } from '../core/errors.js';
import { upstreamBody, upstreamPath } from '../providers/outgoing.js';
import { upstreamModel } from '../scheduling/selector.js';
import type { UpstreamClient } from '../upstream/client.js';
import type { AccountHistory, TestRecord } from './history.js';
import type { AccountPool } from './pool.js';
import type { Credentials } from './credentials.js';

const TEST_TIMEOUT_MS = 60_000;
const DEFAULT_PROMPT = 'Reply with the single word: pong';

export interface TestRequest {
  /** Empty = the kind's default test model. */
  model?: string;
  prompt?: string;
  trigger: TestRecord['trigger'];
  /** Ends the request early (the relay is shutting down). */
  signal?: AbortSignal;
}

export interface TesterDeps {
  pool: AccountPool;
  credentials: Credentials;
  upstream: UpstreamClient;
  history: AccountHistory;
  clock: Clock;
  timeoutMs?: number;
}

export class AccountTester {
  constructor(private readonly deps: TesterDeps) {}

  /** The model a test of this account sends when none is named, or null for an account the pool does not hold. */
  defaultModel(id: string): string | null {
    return this.deps.pool.get(id)?.adapter.test.defaultModel ?? null;
  }

  /**
   * Sends the test and records the outcome. Throws (CONFLICT) when the account cannot be tested at all: its
   * credentials do not decrypt, its kind has no test, or an OAuth token refresh fails first.
   */
  async run(id: string, req: TestRequest): Promise<TestRecord> {
    const entry = this.deps.pool.get(id);
    if (!entry) throw new RelayError('CONFLICT', 'The account’s credentials cannot be read (was ENCRYPTION_KEY changed?)');
    const t = entry.adapter.test;
    const requested = req.model ?? t.defaultModel;
    // The upstream's name for it when the account maps models (as a relayed request would send).
    const model = upstreamModel(entry, requested);
    const path = upstreamPath(entry.adapter, t.op, model);
    if (!path) throw new RelayError('CONFLICT', 'This account kind has no test request');
    const headers = entry.adapter.wire.requestHeaders({});
    // current(): an OAuth account's token is refreshed first when it is due
    const secrets = await this.deps.credentials.current(entry);
    entry.adapter.applyAuth(headers, secrets);
    const json = t.body(model, req.prompt ?? DEFAULT_PROMPT);
    const payload = Buffer.from(JSON.stringify(upstreamBody(entry.adapter, t.op, { json: () => json, requestedModel: model, model, secrets }) ?? json));
    const clean = (text: string) => scrubSecrets(text, [secrets, entry.secrets]);
    // A store failure loses only the record, not the answer.
    const remember = (r: Omit<TestRecord, 'at' | 'trigger'>) =>
      this.deps.history.recordTest(id, { ...r, trigger: req.trigger }).catch(() => ({ ...r, at: this.deps.clock.now(), trigger: req.trigger }));
    const { signal, done } = deadline(this.deps.timeoutMs ?? TEST_TIMEOUT_MS, req.signal);
    const started = monotonicNow();
    try {
      const res = await this.deps.upstream.send({
        origin: entry.origin,
        path: `${entry.basePath}${path}`,
        method: 'POST',
        headers,
        body: payload,
        signal,
        proxyUrl: entry.proxyUrl,
      });
      const text = await res.body.text();
      const latencyMs = Math.round(monotonicNow() - started);
      const read = t.read(text);
      const ok = res.statusCode < 400 && read.error === null;
      const error = ok ? null : clean(read.error ?? text.slice(0, 300));
      return await remember({ ok, status: res.statusCode, latencyMs, model: read.model ?? model, text: ok ? read.text : null, error });
    } catch (e) {
      const message = signal.aborted && req.signal?.aborted ? 'cancelled: the relay is shutting down' : isRelayError(e) ? e.message : (e as Error).message;
      return await remember({ ok: false, status: 0, latencyMs: Math.round(monotonicNow() - started), model, text: null, error: clean(message) });
    } finally {
      done();
    }
  }
}

/** A signal that fires after `ms` or when `outer` does (AbortSignal.any needs Node 20.3). */
function deadline(ms: number, outer?: AbortSignal): { signal: AbortSignal; done(): void } {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(new DOMException('The test timed out', 'TimeoutError')), ms);
  const onAbort = () => ac.abort(outer?.reason);
  if (outer?.aborted) ac.abort(outer.reason);
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: ac.signal,
    done() {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/**
 * An upstream error text without credentials: the account's own secret values, anything shaped like an API key or
 * a bearer token, and URLs beyond their origin (a query may carry a key) are masked. Kept to 300 characters.
 */
export function scrubSecrets(text: string, secrets: unknown[]): string {
  let out = text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => {
    try {
      return new URL(u).origin + '/…';
    } catch {
      return '…';
    }
  });
  for (const v of secretStrings(secrets)) out = out.split(v).join('***');
  out = out
    .replace(/\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/gi, '$1 ***')
    .replace(/\b(sk|cr|rk|pk|sess|AIza)[-_A-Za-z0-9]{12,}/g, '***')
    .replace(/\bya29\.[A-Za-z0-9._-]{8,}/g, '***');
  return out.slice(0, 300);
}

function secretStrings(values: unknown[], out: string[] = []): string[] {
  for (const v of values) {
    if (typeof v === 'string' && v.length >= 6) out.push(v);
    else if (v && typeof v === 'object') secretStrings(Object.values(v), out);
  }
  return out.sort((a, b) => b.length - a.length);
}
