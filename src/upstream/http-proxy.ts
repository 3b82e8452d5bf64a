// HTTP(S) proxies: an undici ProxyAgent that tunnels every target with CONNECT (http:// targets too, one tunnel
// per pooled connection), with the tunnel's failures raised as ProxyError.
import type { Dispatcher, Pool as PoolTypes } from 'undici';
import { guardedLookup } from './metadata-guard.js';
import { ProxyError, type ProxyFailureKind } from './proxy-errors.js';
import { Pool, ProxyAgent } from './undici-parts.js';

export interface HttpProxyOptions {
  keepAliveTimeout: number;
  keepAliveMaxTimeout: number;
  headersTimeout: number;
  bodyTimeout: number;
  /** Budget for reaching the proxy, and for its answer to CONNECT; TLS to the target gets the same again. */
  connectTimeoutMs: number;
}

/** A ProxyAgent for an `http://` or `https://` proxy URL; credentials go in as a ready Proxy-Authorization value. */
export function httpProxyAgent(proxyUrl: URL, opts: HttpProxyOptions): ProxyAgent {
  const { connectTimeoutMs, ...timeouts } = opts;
  const token =
    proxyUrl.username || proxyUrl.password
      ? `Basic ${Buffer.from(`${decodeURIComponent(proxyUrl.username)}:${decodeURIComponent(proxyUrl.password)}`).toString('base64')}`
      : undefined;
  return new ProxyAgent({
    ...timeouts,
    // Without userinfo, so the agent never holds the password in its URL.
    uri: `${proxyUrl.protocol}//${proxyUrl.host}`,
    token,
    // The connection to the proxy resolves its name through the metadata guard (the proxy resolves the target).
    proxyTls: { timeout: connectTimeoutMs, lookup: guardedLookup } as never,
    requestTls: { timeout: connectTimeoutMs },
    clientFactory: (origin, o) => new TunnelPool(origin, { ...o, headersTimeout: connectTimeoutMs }, proxyUrl),
  });
}

/**
 * The connection to the proxy, on which ProxyAgent opens each tunnel with `connect()`. A failure there is the
 * proxy's, and is re-raised as ProxyError: besides saying so, this stops undici 7 from reconnecting in a tight
 * loop when the proxy drops the connection during CONNECT (UND_ERR_SOCKET there leaves the request queued;
 * nodejs/undici#3897, fixed in undici 8 only).
 */
class TunnelPool extends Pool {
  readonly #proxyUrl: URL;

  constructor(origin: URL, opts: PoolTypes.Options, proxyUrl: URL) {
    super(origin, opts);
    this.#proxyUrl = proxyUrl;
  }

  // One implementation for both overloads; ProxyAgent uses the promise form.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the overloads return void or a promise
  override connect(options: Dispatcher.ConnectOptions, callback?: (err: Error | null, data: Dispatcher.ConnectData) => void): any {
    if (callback) return super.connect(options, (err, data) => callback(err && tunnelError(err, this.#proxyUrl), data));
    return super.connect(options).catch((e: Error) => {
      throw tunnelError(e, this.#proxyUrl);
    });
  }
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT']);

function tunnelError(e: Error, proxyUrl: URL): Error {
  const code = (e as { code?: string }).code ?? '';
  // An abort of the tunnel request is the request's own abort: it passes through.
  if (code === 'UND_ERR_ABORTED') return e;
  let kind: ProxyFailureKind = 'protocol';
  if (TIMEOUT_CODES.has(code)) kind = 'timeout';
  else if (/^E[A-Z_]+$/.test(code) && code !== 'ECONNRESET' && code !== 'EPIPE') kind = 'connect';
  return new ProxyError({ kind, detail: code || undefined }, proxyUrl);
}
