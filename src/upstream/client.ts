// Upstream HTTP: sends through the dispatcher of the account's proxy (or the direct agent), propagates aborts,
// and maps transport failures, proxy failures included, to relay errors.
import type { Dispatcher } from 'undici';
import { RelayError } from '../core/errors.js';
import { createDispatcherPool, type DispatcherPool } from './dispatchers.js';
import { UpstreamExchange } from './exchange.js';
import { describeProxyFailure, proxyFailure } from './proxy-errors.js';

export interface UpstreamRequest {
  /** `http(s)://host[:port]` */
  origin: string;
  /** Path and query, starting with '/'. */
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: Buffer;
  signal: AbortSignal;
  /** The account's proxy (http://, https://, socks5://, socks5h://), or null for a direct connection. */
  proxyUrl?: string | null;
}

export type UpstreamResponse = Dispatcher.ResponseData;

export interface UpstreamClient {
  send(req: UpstreamRequest): Promise<UpstreamResponse>;
  /** The relay's hot path: dispatched at once; await `head`, then read the body (exchange.ts). Aborted with `abort()`. */
  exchange(req: Omit<UpstreamRequest, 'signal'>): UpstreamExchange;
  close(): Promise<void>;
}

export interface UpstreamClientOptions {
  /** Time allowed for the response head, and between two body chunks. */
  timeoutMs: number;
  connectTimeoutMs?: number;
  /** A shared pool (e.g. with OAuth token refresh); its owner closes it. By default the client makes and closes its own. */
  dispatchers?: DispatcherPool;
}

export function createUpstreamClient(opts: UpstreamClientOptions): UpstreamClient {
  const pool = opts.dispatchers ?? createDispatcherPool({ timeoutMs: opts.timeoutMs, connectTimeoutMs: opts.connectTimeoutMs });
  return {
    async send(req) {
      try {
        return await pool.get(req.proxyUrl).request({
          origin: req.origin,
          path: req.path,
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: req.signal,
        });
      } catch (e) {
        throw toSendError(e, req.signal.aborted, req.proxyUrl);
      }
    },
    exchange(req) {
      // Only the proxy URL is kept (not `req`, which holds the body) for the life of the exchange.
      const proxyUrl = req.proxyUrl;
      const ex = new UpstreamExchange((e, aborted) => toSendError(e, aborted, proxyUrl));
      try {
        const big = req.body !== undefined && req.body.length >= LET_GO_MIN;
        pool.get(proxyUrl).dispatch(
          big
            ? {
                origin: req.origin,
                path: req.path,
                method: req.method,
                headers: { ...req.headers, 'content-length': String(req.body!.length) },
                // undici takes any iterable body (its typings list only streams and byte types).
                body: new OneShot(req.body!) as unknown as Dispatcher.DispatchOptions['body'],
              }
            : { origin: req.origin, path: req.path, method: req.method, headers: req.headers, body: req.body },
          ex,
        );
      } catch (e) {
        ex.onResponseError(null, e as Error);
      }
      return ex;
    },
    close: () => (opts.dispatchers ? Promise.resolve() : pool.close()),
  };
}

/**
 * Bodies from this size on are handed to undici as a one-shot iterable, which lets go of the bytes once they are
 * written: undici keeps a request's body until its answer ends (minutes, for an agent's stream), and so does nothing
 * else once the relay has committed to an answer (RelayJob.release). Clearing the Request's `body` once it is sent
 * (diagnostics channel `undici:request:bodySent`) does not help: the HTTP/1 writer's abort closure holds it too.
 * Smaller ones go as a Buffer: the iterable path costs ~50 µs more per request (A/B, 20 KB bodies), and a small body
 * held is little memory.
 */
export const LET_GO_MIN = 64 * 1024;

/** Yields its bytes once, then forgets them (undici writes them, with the Content-Length given in the headers). */
class OneShot implements Iterable<Buffer> {
  constructor(private bytes: Buffer | null) {}

  [Symbol.iterator](): Iterator<Buffer> {
    return {
      next: () => {
        const b = this.bytes;
        this.bytes = null;
        return b ? { value: b, done: false } : { value: undefined, done: true };
      },
    };
  }
}

/** Our own abort passes through; a proxy's failure says so (without the proxy's address or credentials). */
function toSendError(e: unknown, aborted: boolean, proxyUrl: string | null | undefined): unknown {
  if (aborted) return e;
  const failure = proxyUrl ? proxyFailure(e) : null;
  if (failure) return new RelayError('UPSTREAM_UNREACHABLE', describeProxyFailure(failure), { cause: e });
  return toRelayError(e);
}

const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** Maps a transport failure to the relay error the client should see. Aborts by our own signal pass through. */
export function toRelayError(e: unknown): unknown {
  if (e instanceof RelayError) return e;
  const err = e as { code?: string; name?: string; message?: string; cause?: { code?: string } };
  if (err?.name === 'AbortError' || err?.code === 'UND_ERR_ABORTED') return e;
  const code = err?.code ?? err?.cause?.code ?? '';
  if (TIMEOUT_CODES.has(code)) return new RelayError('UPSTREAM_TIMEOUT', undefined, { cause: e });
  return new RelayError('UPSTREAM_UNREACHABLE', `Upstream is unreachable (${code || err?.message || 'network error'})`, { cause: e });
}
