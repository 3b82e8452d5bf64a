// A small load client for the scale and fault suites: sends Messages requests (stream or not) and classifies each
// answer as a clean success, a clean error in the surface's shape, or something else (a stall, a 500, a broken
// body), with the usage the upstream reported as the client saw it.
import { SseParser } from '../../src/platform/sse.js';

export interface Outcome {
  status: number;
  ms: number;
  /** 'ok': a complete answer; 'error': a clean error (JSON error body, or a stream ending in `event: error`). */
  kind: 'ok' | 'error' | 'bad' | 'stalled';
  /** Anthropic error type of a clean error. */
  errorType?: string;
  message?: string;
  /** Usage the upstream reported (message_start, overwritten by message_delta), when the answer carried any. */
  usage?: { input: number; output: number; cacheRead: number; cacheWrite: number };
  /** The account key the fake saw is not visible to the client; the fake's request-id is. */
  upstreamRequestId?: string | null;
  retryAfter?: string | null;
  body: string;
}

export interface MessageOptions {
  key: string;
  stream?: boolean;
  model?: string;
  /** Claude Code's metadata.user_id session part: the conversation for sticky routing. */
  session?: string;
  text?: string;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

function usageOf(u: Record<string, number> | undefined) {
  if (!u) return undefined;
  return {
    input: u.input_tokens ?? 0,
    output: u.output_tokens ?? 0,
    cacheRead: u.cache_read_input_tokens ?? 0,
    cacheWrite: u.cache_creation_input_tokens ?? 0,
  };
}

/** Parses a Messages SSE body: complete when it has message_stop; usage from message_start then message_delta. */
export function readStream(text: string): { complete: boolean; error: { type: string; message: string } | null; usage?: Outcome['usage'] } {
  const events = new SseParser().push(text);
  let usage: Outcome['usage'];
  let complete = false;
  let error: { type: string; message: string } | null = null;
  for (const e of events) {
    let d: any;
    try {
      d = JSON.parse(e.data);
    } catch {
      continue;
    }
    if (e.event === 'message_start') usage = usageOf(d.message?.usage);
    else if (e.event === 'message_delta' && d.usage && usage) {
      const u = d.usage as Record<string, number>;
      usage = {
        input: u.input_tokens ?? usage.input,
        output: u.output_tokens ?? usage.output,
        cacheRead: u.cache_read_input_tokens ?? usage.cacheRead,
        cacheWrite: u.cache_creation_input_tokens ?? usage.cacheWrite,
      };
    } else if (e.event === 'message_stop') complete = true;
    else if (e.event === 'error') error = d.error;
  }
  return { complete, error, usage };
}

/** True when `j` is the Anthropic error shape `{type:"error", error:{type, message}}`. */
export function isAnthropicError(j: unknown): j is { type: 'error'; error: { type: string; message: string } } {
  const x = j as { type?: unknown; error?: { type?: unknown; message?: unknown } };
  return x?.type === 'error' && typeof x.error?.type === 'string' && typeof x.error?.message === 'string';
}

/** One Messages request; never throws (a network failure or timeout is an outcome). */
export async function sendMessage(baseUrl: string, o: MessageOptions): Promise<Outcome> {
  const started = performance.now();
  const body = {
    model: o.model ?? 'claude-sonnet-4-5',
    max_tokens: 64,
    stream: o.stream ?? false,
    messages: [{ role: 'user', content: o.text ?? 'hello' }],
    ...(o.session ? { metadata: { user_id: JSON.stringify({ device_id: 'd'.repeat(64), account_uuid: '', session_id: o.session }) } } : {}),
  };
  try {
    const res = await fetch(`${baseUrl}/api/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': o.key, 'anthropic-version': '2023-06-01', ...o.headers },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(o.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    const ms = performance.now() - started;
    const base = { status: res.status, ms, body: text, upstreamRequestId: res.headers.get('request-id'), retryAfter: res.headers.get('retry-after') };
    if (res.status === 200 && (res.headers.get('content-type') ?? '').includes('text/event-stream')) {
      const s = readStream(text);
      if (s.complete && !s.error) return { ...base, kind: 'ok', usage: s.usage };
      if (s.error) return { ...base, kind: 'error', errorType: s.error.type, message: s.error.message, usage: s.usage };
      return { ...base, kind: 'bad', usage: s.usage };
    }
    let j: any;
    try {
      j = JSON.parse(text);
    } catch {
      return { ...base, kind: 'bad' };
    }
    if (res.status === 200) return j?.type === 'message' ? { ...base, kind: 'ok', usage: usageOf(j.usage) } : { ...base, kind: 'bad' };
    if (isAnthropicError(j)) return { ...base, kind: 'error', errorType: j.error.type, message: j.error.message };
    return { ...base, kind: 'bad' };
  } catch (e) {
    const ms = performance.now() - started;
    const name = (e as Error).name;
    return { status: 0, ms, kind: name === 'TimeoutError' ? 'stalled' : 'bad', message: (e as Error).message, body: '' };
  }
}

export function sumUsage(outcomes: Outcome[]): { input: number; output: number; cacheRead: number; cacheWrite: number } {
  const t = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0 };
  for (const o of outcomes) {
    if (!o.usage) continue;
    t.input += o.usage.input;
    t.output += o.usage.output;
    t.cacheRead += o.usage.cacheRead;
    t.cacheWrite += o.usage.cacheWrite;
  }
  return t;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `workers` loops of `fn` until `stop()` returns true; resolves with every result. */
export async function loadLoop<T>(workers: number, fn: (worker: number, i: number) => Promise<T>, stop: () => boolean): Promise<T[]> {
  const out: T[] = [];
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; !stop(); i++) out.push(await fn(w, i));
    }),
  );
  return out;
}
