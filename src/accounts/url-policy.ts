// Admin-entered URLs: upstream base URLs and proxies. Intranet relays legitimately point at private hosts, so
// private addresses are allowed; what is refused is what is never legitimate (credentials in a base URL,
// odd schemes, cloud metadata endpoints in any spelling). The address actually dialled is checked again at
// connect time (upstream/metadata-guard.ts), which also catches names that resolve to a metadata address.
import { RelayError } from '../core/errors.js';
import { isMetadataHost } from '../upstream/metadata-guard.js';

function invalid(field: string, message: string): RelayError {
  return new RelayError('VALIDATION_FAILED', `${field}: ${message}`, { details: [{ path: field, message }] });
}

/** Returns the normalised base URL (no trailing slash, no query) or throws a 400. */
export function checkUpstreamUrl(raw: string, stripSuffix: string | null = '/v1'): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalid('baseUrl', 'must be an absolute http(s) URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid('baseUrl', 'must use http or https');
  if (u.username || u.password) throw invalid('baseUrl', 'must not contain credentials; use the account key');
  if (u.search || u.hash) throw invalid('baseUrl', 'must not contain a query or fragment');
  if (isMetadataHost(u.hostname)) throw invalid('baseUrl', 'points at a metadata/link-local address');
  let path = u.pathname.replace(/\/+$/, '');
  if (stripSuffix && path.endsWith(stripSuffix)) path = path.slice(0, -stripSuffix.length);
  return `${u.origin}${path}`;
}

/** Returns the proxy URL unchanged when acceptable (http, https, socks5, socks5h) or throws a 400. */
export function checkProxyUrl(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalid('proxy', 'must be a URL like http://host:port or socks5://user:pass@host:port');
  }
  if (!['http:', 'https:', 'socks5:', 'socks5h:'].includes(u.protocol)) throw invalid('proxy', 'must use http, https, socks5 or socks5h');
  if (!u.hostname) throw invalid('proxy', 'must include a host');
  if (u.protocol.startsWith('socks') && !u.port) throw invalid('proxy', 'must include a port');
  if (isMetadataHost(u.hostname)) throw invalid('proxy', 'points at a metadata/link-local address');
  return raw;
}

/**
 * Returns an admin-entered notification URL (a chat robot's webhook, a push server) unchanged when acceptable, or
 * throws a 400 naming `field`. Unlike an upstream base URL it may carry a query (the robots' tokens live there);
 * what is refused is the same: other schemes, credentials in the URL, metadata addresses. The address dialled is
 * checked again at connect time.
 */
export function checkWebhookUrl(raw: string, field = 'url'): string {
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw invalid(field, 'must be an absolute http(s) URL');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw invalid(field, 'must use http or https');
  if (u.username || u.password) throw invalid(field, 'must not contain credentials');
  if (isMetadataHost(u.hostname)) throw invalid(field, 'points at a metadata/link-local address');
  return raw;
}

/** Returns an admin-entered host name (a mail server) when acceptable, or throws a 400 naming `field`. */
export function checkHostName(raw: string, field = 'host'): string {
  if (!/^[A-Za-z0-9.:[\]-]+$/.test(raw)) throw invalid(field, 'must be a host name or address');
  if (isMetadataHost(raw.replace(/^\[|\]$/g, ''))) throw invalid(field, 'points at a metadata/link-local address');
  return raw;
}
