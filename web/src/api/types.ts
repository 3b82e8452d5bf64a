// The admin API's shapes for the pages, all generated from /admin/openapi.json (schema.d.ts, `npm run gen:api`):
// answers as each route declares them, and the bodies and queries its zod schemas accept.

import type { paths } from './schema';

export type Session = ResponseOf<'/admin/session', 'get'>;
export type SystemInfo = ResponseOf<'/admin/system', 'get'>;
export type Overview = ResponseOf<'/admin/overview', 'get'>;
export type UsageBlock = Overview['today'];
export type AttentionItem = Overview['attention'][number];
export type Series = ResponseOf<'/admin/usage/series', 'get'>;
export type Breakdown = ResponseOf<'/admin/usage/breakdown', 'get'>;
export type BreakdownRow = Breakdown['items'][number];
/** An account with its health and usage windows (the detail answer). */
export type AccountDetail = ResponseOf<'/admin/accounts/{id}', 'get'>;
/** An account as the pages show it: a search row (the detail plus its state chip and today's usage). */
export type Account = ResponseOf<'/admin/accounts/search', 'get'>['items'][number];
export type HealthReason = Account['health']['reasons'][number];
export type UsageWindowView = Account['windows'][number];
export type KeyDetail = ResponseOf<'/admin/keys/{id}', 'get'>;
/** A key as the key pages show it: a search row (limit bars and usage over the range). */
export type ApiKeyView = ResponseOf<'/admin/keys/search', 'get'>['items'][number];
export type KeyLimitView = KeyDetail['limits'][number];
export type RequestRow = ResponseOf<'/admin/requests', 'get'>['items'][number];
export type Meta = ResponseOf<'/admin/meta', 'get'>;

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  pageSize: number;
}

// Request shapes, generated from /admin/openapi.json (schema.d.ts, `npm run gen:api`): the bodies and queries the
// server's zod schemas accept, so a page cannot send a field the server would refuse.
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** The JSON body of a route, e.g. `BodyOf<'/admin/groups', 'post'>`. */
export type BodyOf<P extends keyof paths, M extends Method> = paths[P][M] extends { requestBody?: { content: { 'application/json': infer B } } } ? B : never;

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;

/** The JSON answer of a route (its 200, or its 201 for a create), e.g. `ResponseOf<'/admin/groups', 'get'>`. */
export type ResponseOf<P extends keyof paths, M extends Method> = paths[P][M] extends { responses: infer R }
  ? R extends { 200: infer OK }
    ? Json<OK>
    : R extends { 201: infer Created }
      ? Json<Created>
      : never
  : never;

/** The query parameters of a route, e.g. `QueryOf<'/admin/usage/series', 'get'>`. */
export type QueryOf<P extends keyof paths, M extends Method> = paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;
