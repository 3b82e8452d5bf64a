// The dispatcher pool: one undici dispatcher per distinct proxy URL, created on first use and kept (each keeps
// its own keep-alive connections), plus the direct agent. Every upstream call, relay or token refresh, takes
// its dispatcher from here so they share connections and timeouts.
import type { Dispatcher } from 'undici';
import { httpProxyAgent } from './http-proxy.js';
import { guardConnector, guardedLookup, isMetadataHost } from './metadata-guard.js';
import { ProxyError } from './proxy-errors.js';
import { socksConnector } from './socks-connector.js';
import { Agent, buildConnector, fetch as undiciFetch } from './undici-parts.js';

export interface DispatcherPoolOptions {
  /** Time allowed for the response head, and between two body chunks. */
  timeoutMs: number;
  /** Time allowed to open a connection, proxy handshake included. Default 10 s. */
  connectTimeoutMs?: number;
}

/** undici's `fetch`, bound to one dispatcher. */
export type BoundFetch = (input: Parameters<typeof undiciFetch>[0], init?: Parameters<typeof undiciFetch>[1]) => ReturnType<typeof undiciFetch>;

export interface DispatcherPool {
  /** The dispatcher for a proxy URL (`http`, `https`, `socks5`, `socks5h`), or the direct agent for null/empty. */
  get(proxyUrl?: string | null): Dispatcher;
  /** undici's `fetch` sending through the dispatcher of `proxyUrl` (e.g. for OAuth token refresh). */
  fetchFor(proxyUrl?: string | null): BoundFetch;
  /** How many proxy dispatchers exist (the direct agent not counted). */
  readonly size: number;
  /** Closes every dispatcher, letting in-flight requests finish. `get` throws afterwards. */
  close(): Promise<void>;
}

const KEEP_ALIVE = { keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 } as const;

export function createDispatcherPool(opts: DispatcherPoolOptions): DispatcherPool {
  const connectTimeoutMs = opts.connectTimeoutMs ?? 10_000;
  const common = { ...KEEP_ALIVE, headersTimeout: opts.timeoutMs, bodyTimeout: opts.timeoutMs };
  // The address actually dialled is checked: a metadata literal, or a name resolving to a metadata address, fails.
  const direct = new Agent({ ...common, connect: guardConnector(buildConnector({ timeout: connectTimeoutMs, lookup: guardedLookup })) });
  // Keyed by the raw URL: the same account proxy always yields the same string.
  const byUrl = new Map<string, Dispatcher>();
  let closed = false;

  const get = (proxyUrl?: string | null): Dispatcher => {
    if (closed) throw new Error('Dispatcher pool is closed');
    if (!proxyUrl) return direct;
    let d = byUrl.get(proxyUrl);
    if (!d) {
      d = createProxyDispatcher(proxyUrl, common, connectTimeoutMs);
      byUrl.set(proxyUrl, d);
    }
    return d;
  };

  return {
    get,
    fetchFor(proxyUrl) {
      const dispatcher = get(proxyUrl);
      return (input, init) => undiciFetch(input, { ...init, dispatcher });
    },
    get size() {
      return byUrl.size;
    },
    async close() {
      closed = true;
      const all = [direct, ...byUrl.values()];
      byUrl.clear();
      await Promise.all(all.map((d) => d.close()));
    },
  };
}

interface Common {
  keepAliveTimeout: number;
  keepAliveMaxTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
}

function createProxyDispatcher(proxyUrl: string, common: Common, connectTimeoutMs: number): Dispatcher {
  let u: URL;
  try {
    u = new URL(proxyUrl);
  } catch {
    throw new ProxyError({ kind: 'protocol', detail: 'invalid proxy URL' }, proxyUrl);
  }
  // The proxy's own host (any spelling; a name resolving to one is refused at connect time by guardedLookup).
  if (isMetadataHost(u.hostname)) throw new ProxyError({ kind: 'connect', detail: 'metadata address refused' }, u);
  switch (u.protocol) {
    case 'http:':
    case 'https:':
      return httpProxyAgent(u, { ...common, connectTimeoutMs });
    case 'socks5:':
    case 'socks5h:':
      return new Agent({ ...common, connect: socksConnector(u, { remoteDns: u.protocol === 'socks5h:', timeoutMs: connectTimeoutMs }) });
    default:
      throw new ProxyError({ kind: 'protocol', detail: `unsupported scheme ${u.protocol}` }, u);
  }
}
