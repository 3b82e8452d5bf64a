// /admin/requests: the request log, newest first, paged by an opaque (ts, requestId) cursor; filters that the
// store cannot index are applied while scanning, with a bound on how far one page scans.
import type { FastifyInstance } from 'fastify';
import { RelayError } from '../../core/errors.js';
import { nanosToMicros } from '../../core/money.js';
import type { UsageEvent } from '../../core/usage-event.js';
import type { RequestLogCursor, Store } from '../../store/types.js';
import { nameResolver } from './analytics-support.js';
import type { RouteDoc } from './route-docs.js';
import { parseInput } from './validate.js';
import { requestsQuerySchema } from './web-schemas.js';

const SCAN_BATCH = 200;
/** Entries one page may look at before it answers with what it found and a cursor to go on. */
const SCAN_MAX = 5000;

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

type Filter = (e: UsageEvent) => boolean;

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

/** Reads one page of the log matching `filters` (the key filter is indexed; the others are checked here). */
export async function readLogPage(
  store: Store,
  q: { keyId?: string; from?: number; to?: number; cursor?: string; limit: number },
  filters: Filter[],
): Promise<LogPage> {
  let before: RequestLogCursor | undefined = q.cursor ? decodeCursor(q.cursor) : q.to !== undefined ? { ts: q.to + 1, requestId: '' } : undefined;
  const events: UsageEvent[] = [];
  let scanned = 0;
  for (;;) {
    const batch = await store.usage.recentRequests(SCAN_BATCH, { keyId: q.keyId, before });
    for (const e of batch) {
      scanned++;
      if (q.from !== undefined && e.ts < q.from) return { events, nextCursor: null, scanned };
      before = { ts: e.ts, requestId: e.requestId };
      if (filters.every((f) => f(e))) events.push(e);
      if (events.length >= q.limit) return { events, nextCursor: encodeCursor(before), scanned };
    }
    if (batch.length < SCAN_BATCH) return { events, nextCursor: null, scanned };
    if (scanned >= SCAN_MAX) return { events, nextCursor: before ? encodeCursor(before) : null, scanned };
  }
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

export function requestRoutes(app: FastifyInstance, deps: { store: Store }): void {
  app.get('/requests', async (request) => {
    const q = parseInput(requestsQuerySchema, request.query);
    const filters: Filter[] = [];
    if (q.accountId) filters.push((e) => e.accountId === q.accountId);
    if (q.model) filters.push((e) => e.model === q.model);
    if (q.requestId) filters.push((e) => e.requestId === q.requestId);
    if (q.minDurationMs !== undefined) filters.push((e) => e.durationMs >= q.minDurationMs!);
    const sf = statusFilter(q.status);
    if (sf) filters.push(sf);
    const [page, labelOf] = await Promise.all([readLogPage(deps.store, q, filters), nameResolver(deps.store)]);
    return {
      items: page.events.map((e) => requestItem(e, { key: labelOf('key', e.keyId), account: e.accountId ? labelOf('account', e.accountId) : null })),
      nextCursor: page.nextCursor,
      scanned: page.scanned,
    };
  });
}

export const requestDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/admin/requests',
    tag: 'requests',
    summary: 'The request log, newest first; `nextCursor` continues it (null at the end). A page scans at most 5,000 entries, so a sparse filter may return fewer rows with a cursor.',
    query: requestsQuerySchema,
  },
];
