// /admin/requests: the request log, newest first, paged by an opaque (ts, requestId) cursor; filters that the
// store cannot index are applied while scanning (UsageQueries.logPage), with a bound on how far one page scans.
import { RelayError } from '../../../core/errors.js';
import { nanosToMicros } from '../../../core/money.js';
import type { UsageEvent } from '../../../core/usage-event.js';
import type { LogFilter, UsageQueries } from '../../../accounting/usage-queries.js';
import type { AccountService } from '../../../accounts/accounts.js';
import type { ApiKeyService } from '../../../keys/api-keys.js';
import type { RequestLogCursor } from '../../../accounting/usage-queries.js';
import { routeBuilder } from '../route.js';
import { requestLogPage, requestsQuerySchema } from './schemas.js';
import { nameResolver } from './support.js';

export function encodeCursor(c: RequestLogCursor): string {
  return Buffer.from(JSON.stringify([c.ts, c.requestId])).toString('base64url');
}

export function decodeCursor(s: string): RequestLogCursor {
  try {
    const [ts, requestId] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as [unknown, unknown];
    if (typeof ts === 'number' && typeof requestId === 'string') return { ts, requestId };
  } catch {
    // fall through
  }
  throw new RelayError('VALIDATION_FAILED', 'cursor is not one this API issued', { details: [{ path: 'cursor', message: 'invalid' }] });
}

type Filter = LogFilter;

function statusFilter(s: string | undefined): Filter | null {
  if (!s) return null;
  if (s === 'success') return (e) => e.status < 400;
  if (s === 'error') return (e) => e.status >= 400;
  if (s === '4xx') return (e) => e.status >= 400 && e.status < 500;
  if (s === '5xx') return (e) => e.status >= 500;
  const code = Number(s);
  return (e) => e.status === code;
}

export interface LogPage {
  events: UsageEvent[];
  nextCursor: string | null;
  scanned: number;
}

/** Reads one page of the log matching `filters`; the cursor in and out is the opaque string of this API. */
export async function readLogPage(
  usage: UsageQueries,
  q: { keyId?: string; from?: number; to?: number; cursor?: string; limit: number },
  filters: Filter[],
): Promise<LogPage> {
  const { cursor, ...rest } = q;
  const page = await usage.logPage({ ...rest, before: cursor ? decodeCursor(cursor) : undefined }, filters);
  return { events: page.events, nextCursor: page.next ? encodeCursor(page.next) : null, scanned: page.scanned };
}

export function requestItem(e: UsageEvent, names?: { key: string; account: string | null }) {
  const u = e.usage;
  return {
    id: e.requestId,
    ts: new Date(e.ts).toISOString(),
    keyId: e.keyId,
    ...(names ? { keyName: names.key, accountId: e.accountId, accountName: names.account } : {}),
    model: e.model,
    endpoint: e.endpoint,
    stream: e.stream,
    status: e.status,
    errorCode: e.errorCode,
    partial: e.partial,
    input: u.input,
    output: u.output,
    cacheWrite5m: u.cacheWrite5m,
    cacheWrite1h: u.cacheWrite1h,
    cacheRead: u.cacheRead,
    totalTokens: u.input + u.output + u.cacheWrite5m + u.cacheWrite1h + u.cacheRead,
    costMicros: nanosToMicros(e.costNanos),
    durationMs: e.durationMs,
  };
}

interface Deps {
  usage: UsageQueries;
  keys: ApiKeyService;
  accounts: AccountService;
}

const route = routeBuilder<Deps>();

export const requestRoutes = [
  route(
    {
      method: 'GET',
      path: '/requests',
      tag: 'requests',
      summary:
        'The request log, newest first; `nextCursor` continues it (null at the end). A page scans at most 5,000 entries, so a sparse filter may return fewer rows with a cursor.',
      query: requestsQuerySchema,
      response: requestLogPage,
    },
    async ({ query: q }, deps) => {
      const filters: Filter[] = [];
      if (q.accountId) filters.push((e) => e.accountId === q.accountId);
      if (q.model) filters.push((e) => e.model === q.model);
      if (q.requestId) filters.push((e) => e.requestId === q.requestId);
      if (q.minDurationMs !== undefined) filters.push((e) => e.durationMs >= q.minDurationMs!);
      const sf = statusFilter(q.status);
      if (sf) filters.push(sf);
      const [page, labelOf] = await Promise.all([readLogPage(deps.usage, q, filters), nameResolver(deps)]);
      return {
        items: page.events.map((e) => requestItem(e, { key: labelOf('key', e.keyId), account: e.accountId ? labelOf('account', e.accountId) : null })),
        nextCursor: page.nextCursor,
        scanned: page.scanned,
      };
    },
  ),
];
