// Proxy failures: the error the SOCKS connector raises, the recognition of undici ProxyAgent failures, and the
// masking that keeps proxy credentials out of every message.

/** What went wrong on the way through a proxy. */
export type ProxyFailureKind = 'connect' | 'timeout' | 'auth' | 'target' | 'rejected' | 'protocol';

export interface ProxyFailure {
  kind: ProxyFailureKind;
  /** A short, credential-free detail: an errno code, a proxy status or a SOCKS reply name. */
  detail?: string;
}

const DESCRIPTIONS: Record<ProxyFailureKind, string> = {
  connect: 'is unreachable',
  timeout: 'did not answer in time',
  auth: 'rejected the credentials',
  target: 'could not reach the upstream',
  rejected: 'refused the tunnel',
  protocol: 'failed',
};

/** "Upstream proxy rejected the credentials (407)": safe to show to API clients (no host, no credentials). */
export function describeProxyFailure(f: ProxyFailure): string {
  return `Upstream proxy ${DESCRIPTIONS[f.kind]}${f.detail ? ` (${f.detail})` : ''}`;
}

/** `scheme://host:port`, with `***@` standing for any userinfo: for logs and internal messages. */
export function maskProxyUrl(raw: string | URL): string {
  try {
    const u = typeof raw === 'string' ? new URL(raw) : raw;
    return `${u.protocol}//${u.username || u.password ? '***@' : ''}${u.host}`;
  } catch {
    return '(invalid proxy URL)';
  }
}

/**
 * A failure at the proxy stage of a connection (raised by the SOCKS connector). Carries no cause on purpose:
 * the `socks` package's errors hold the proxy options, password included.
 */
export class ProxyError extends Error {
  readonly code = 'PROXY_FAILED';
  readonly kind: ProxyFailureKind;
  readonly detail?: string;

  constructor(failure: ProxyFailure, proxy: string | URL) {
    super(`${describeProxyFailure(failure)}: ${maskProxyUrl(proxy)}`);
    this.name = 'ProxyError';
    this.kind = failure.kind;
    this.detail = failure.detail;
  }
}

// undici's ProxyAgent when the proxy answers CONNECT with anything but 200: "Proxy response (407) !== 200 when
// HTTP Tunneling". (Failures to reach the proxy come as ProxyError, from http-proxy.ts.)
const PROXY_STATUS = /^Proxy response \((\d{3})\)/;

/** Recognises a failure that happened at the proxy; null when it is not the proxy's (or cannot be told apart). */
export function proxyFailure(e: unknown): ProxyFailure | null {
  if (e instanceof ProxyError) return { kind: e.kind, detail: e.detail };
  const message = (e as { message?: unknown } | null)?.message;
  const status = typeof message === 'string' ? PROXY_STATUS.exec(message)?.[1] : undefined;
  if (!status) return null;
  const s = Number(status);
  const kind: ProxyFailureKind = s === 407 ? 'auth' : s === 502 || s === 503 || s === 504 ? 'target' : 'rejected';
  return { kind, detail: status };
}
