// SOCKS5 tunnels for undici: a `connect` function for an undici Agent that opens each pooled connection through
// a SOCKS5 proxy, so keep-alive pooling works exactly as for direct connections. The `socks` package speaks
// the protocol; this file owns the stages around it (TCP to the proxy, target DNS, TLS) and their errors.
import { lookup } from 'node:dns/promises';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import type { SocksProxy } from 'socks';
import type { buildConnector as Connectors } from 'undici';
import { monotonicNow } from '../core/clock.js';
import { guardedLookup, isMetadataAddress, isMetadataHost, metadataRefused } from './metadata-guard.js';
import { ProxyError, type ProxyFailureKind } from './proxy-errors.js';
import { buildConnector } from './undici-parts.js';

export interface SocksConnectorOptions {
  /** socks5h: the proxy resolves the target host name. socks5: it is resolved here and the proxy gets an IP. */
  remoteDns: boolean;
  /** Budget for reaching the proxy and finishing the SOCKS handshake; TLS to the target gets the same again. */
  timeoutMs: number;
}

const noop = () => {};
const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, '$1');

/** Builds the undici `connect` function for one SOCKS5 proxy URL (`socks5://` or `socks5h://`, optional userinfo). */
export function socksConnector(proxyUrl: URL, opts: SocksConnectorOptions): Connectors.connector {
  const tls = buildConnector({ timeout: opts.timeoutMs });
  const proxy: SocksProxy = {
    host: unbracket(proxyUrl.hostname),
    port: Number(proxyUrl.port) || 1080,
    type: 5,
    ...(proxyUrl.username || proxyUrl.password ? { userId: decodeURIComponent(proxyUrl.username), password: decodeURIComponent(proxyUrl.password) } : {}),
  };
  return (target, callback) => {
    const host = unbracket(target.hostname);
    const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
    openTunnel(proxyUrl, proxy, host, port, opts).then(
      (socket) => {
        if (target.protocol === 'https:') tls({ ...target, httpSocket: socket }, callback);
        else callback(null, socket);
      },
      (err: Error) => callback(err, null),
    );
  };
}

async function openTunnel(proxyUrl: URL, proxy: SocksProxy, host: string, port: number, opts: SocksConnectorOptions): Promise<Socket> {
  const started = monotonicNow();
  // Loaded on first use (most relays never talk SOCKS, and the module costs memory) — and before the socket is
  // open, so the handshake is listening from the socket's first moment (a proxy that hangs up at once is seen).
  const { SocksClient } = await import('socks');
  // A failed local lookup is the upstream's problem, not the proxy's: its ENOTFOUND passes through as is. A target
  // that is, spells or (socks5: resolves to) a metadata address is refused; with socks5h the proxy resolves it.
  if (isMetadataHost(host)) throw metadataRefused(host);
  const destHost = opts.remoteDns || isIP(host) ? host : (await lookup(host)).address;
  if (isMetadataAddress(destHost)) throw metadataRefused(host);
  const socket = await connectToProxy(proxyUrl, proxy, opts.timeoutMs);
  // Until the handshake settles, a socket error surfaces through the handshake's rejection, never as uncaught.
  socket.on('error', noop);
  try {
    const { socket: tunnel } = await SocksClient.createConnection({
      command: 'connect',
      proxy,
      destination: { host: destHost, port },
      timeout: Math.max(1, opts.timeoutMs - (monotonicNow() - started)),
      existing_socket: socket,
    });
    const s = tunnel;
    socket.off('error', noop);
    s.setNoDelay(true);
    s.setKeepAlive(true, 60_000);
    return s;
  } catch (e) {
    socket.destroy();
    throw new ProxyError(socksFailure(e), proxyUrl);
  }
}

function connectToProxy(proxyUrl: URL, proxy: SocksProxy, timeoutMs: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    // The proxy's name goes through the metadata guard (net.connect asks `lookup` for names only; literals were
    // checked when the dispatcher was made).
    const socket = netConnect({ host: proxy.host, port: proxy.port, lookup: guardedLookup });
    const fail = (kind: ProxyFailureKind, detail: string | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      reject(new ProxyError({ kind, detail }, proxyUrl));
    };
    const onError = (e: NodeJS.ErrnoException) => fail('connect', e.code);
    const timer = setTimeout(() => fail('timeout', 'connect'), timeoutMs);
    socket.once('error', onError);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

/** The `socks` package reports by message only; its messages carry no credentials (its `options` do). */
function socksFailure(e: unknown): { kind: ProxyFailureKind; detail?: string } {
  const msg = e instanceof Error ? e.message : String(e);
  if (/Authentication failed|no accepted authentication/i.test(msg)) return { kind: 'auth' };
  const rejected = /rejected connection - (\w+)/.exec(msg);
  if (rejected) return { kind: 'target', detail: rejected[1] };
  if (/timed out/i.test(msg)) return { kind: 'timeout', detail: 'handshake' };
  return { kind: 'protocol', detail: msg.slice(0, 80) };
}
