// Upstream HTTP: undici keep-alive dispatchers, timeouts, abort propagation, and the mapping of transport
// failures to relay errors. (Per-account proxies plug in here: one dispatcher per proxy URL.)
import { Agent, type Dispatcher } from 'undici';
import { RelayError } from '../core/errors.js';

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
  close(): Promise<void>;
}

export interface UpstreamClientOptions {
  /** Time allowed for the response head, and between two body chunks. */
  timeoutMs: number;
  connectTimeoutMs?: number;
}

export function createUpstreamClient(opts: UpstreamClientOptions): UpstreamClient {
  const agent = new Agent({
    keepAliveTimeout: 30_000,
    keepAliveMaxTimeout: 600_000,
    connect: { timeout: opts.connectTimeoutMs ?? 10_000 },
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.timeoutMs,
  });
  return {
    async send(req) {
      try {
        return await agent.request({
          origin: req.origin,
          path: req.path,
          method: req.method,
          headers: req.headers,
          body: req.body,
          signal: req.signal,
        });
      } catch (e) {
        throw toRelayError(e);
      }
    },
    close: () => agent.close(),
  };
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
