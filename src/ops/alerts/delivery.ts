// Sends one alert to one channel: HTTP for the chat tools and the generic webhook (through the relay's guarded
// dispatcher, so a name resolving to a metadata address is refused at dial time), SMTP through nodemailer. A
// failure that may pass (network, 429, 5xx) is retried with exponential backoff, a bounded number of times. The
// outcome names no secret: errors are scrubbed of the channel's secret values and of URLs beyond their origin.
import type { Clock } from '../../core/clock.js';
import { buildRequest, mailOf, readAnswer, type FormatContext } from './formats.js';
import type { AlertEvent, ResolvedChannel } from './types.js';

export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: string; signal: AbortSignal },
) => Promise<{ status: number; text(): Promise<string> }>;

export interface DeliveryOptions {
  fetch: FetchLike;
  /** Signed webhook timestamps. */
  clock: Clock;
  /** Per attempt. Default 10 s. */
  timeoutMs?: number;
  /** Further attempts after the first. Default 3. */
  retries?: number;
  /** First backoff; doubles each time, up to `retryMaxMs`. Defaults 1 s and 30 s. */
  retryBaseMs?: number;
  retryMaxMs?: number;
}

export interface DeliveryOutcome {
  ok: boolean;
  attempts: number;
  httpStatus: number;
  error: string | null;
}

type Attempt = { ok: true; httpStatus: number } | { ok: false; retry: boolean; httpStatus: number; error: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());

/** Removes secrets from a text that may quote a URL or an answer. */
export function scrub(text: string, ch: ResolvedChannel): string {
  let out = text.replace(/\bhttps?:\/\/[^\s"'<>]+/gi, (u) => {
    try {
      return new URL(u).origin + '/…';
    } catch {
      return '…';
    }
  });
  for (const v of Object.values(ch.secrets)) if (typeof v === 'string' && v.length >= 4) out = out.split(v).join('***');
  return out.slice(0, 300);
}

async function httpAttempt(ch: ResolvedChannel, e: AlertEvent, ctx: FormatContext, opts: DeliveryOptions): Promise<Attempt> {
  const req = buildRequest(ch, e, opts.clock.now(), ctx);
  try {
    const res = await opts.fetch(req.url, { method: req.method, headers: req.headers, body: req.body, signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000) });
    const body = (await res.text()).slice(0, 4096);
    const v = readAnswer(ch.type, res.status, body);
    return v.ok ? { ok: true, httpStatus: res.status } : { ok: false, retry: v.retry, httpStatus: res.status, error: v.error };
  } catch (err) {
    const e2 = err as Error & { cause?: { code?: string; message?: string } };
    const why = e2.name === 'TimeoutError' ? 'timed out' : (e2.cause?.code ?? e2.cause?.message ?? e2.message);
    return { ok: false, retry: true, httpStatus: 0, error: String(why) };
  }
}

async function mailAttempt(ch: ResolvedChannel, e: AlertEvent, ctx: FormatContext, opts: DeliveryOptions): Promise<Attempt> {
  const c = ch.config;
  const timeout = opts.timeoutMs ?? 10_000;
  // Loaded on the first mail only: the mailer is ~15 MB of the relay's resident memory otherwise.
  const { createTransport } = await import('nodemailer');
  const transport = createTransport({
    host: c.host,
    port: c.port ?? (c.secure ? 465 : 587),
    secure: c.secure ?? false,
    auth: c.username ? { user: c.username, pass: ch.secrets.password ?? '' } : undefined,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  });
  const mail = mailOf(e, ctx);
  try {
    await transport.sendMail({ from: c.from, to: c.to, subject: mail.subject, text: mail.text });
    return { ok: true, httpStatus: 0 };
  } catch (err) {
    const x = err as Error & { responseCode?: number; code?: string };
    // 5xx SMTP replies are permanent (bad recipient, auth refused); connection trouble and 4xx may pass.
    const permanent = typeof x.responseCode === 'number' && x.responseCode >= 500;
    return { ok: false, retry: !permanent, httpStatus: 0, error: `${x.code ?? 'SMTP'}${x.responseCode ? ` ${x.responseCode}` : ''}: ${x.message}` };
  } finally {
    transport.close();
  }
}

/** Delivers `e` to `ch`, retrying what may pass. `onAttempt` sees each failed try (for the history). */
export async function deliver(
  ch: ResolvedChannel,
  e: AlertEvent,
  ctx: FormatContext,
  opts: DeliveryOptions,
  onAttempt?: (n: number, error: string) => void,
): Promise<DeliveryOutcome> {
  const retries = opts.retries ?? 3;
  const base = opts.retryBaseMs ?? 1000;
  const max = opts.retryMaxMs ?? 30_000;
  let last: Attempt = { ok: false, retry: false, httpStatus: 0, error: 'not sent' };
  for (let n = 1; n <= retries + 1; n++) {
    last = ch.type === 'smtp' ? await mailAttempt(ch, e, ctx, opts) : await httpAttempt(ch, e, ctx, opts);
    if (last.ok) return { ok: true, attempts: n, httpStatus: last.httpStatus, error: null };
    onAttempt?.(n, scrub(last.error, ch));
    if (!last.retry || n > retries) return { ok: false, attempts: n, httpStatus: last.httpStatus, error: scrub(last.error, ch) };
    await sleep(Math.min(max, base * 2 ** (n - 1)));
  }
  return { ok: false, attempts: retries + 1, httpStatus: 0, error: 'not sent' };
}
