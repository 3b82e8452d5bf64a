// The one list of admin routes, and GET /admin/openapi.json: the OpenAPI 3.1 document of the admin and key-holder
// APIs, generated from the same route declarations (and zod schemas, input side) the routes are registered from.
import { z } from 'zod';
import { STATS_ROUTES } from '../stats/index.js';
import { WEB_AUTH_ROUTES } from '../web-auth.js';
import { accountRoutes } from './accounts/routes.js';
import { scheduledTestRoutes } from './accounts/scheduled-test.js';
import type { AdminDeps } from './deps.js';
import { groupRoutes } from './groups/routes.js';
import { keyRoutes } from './keys/routes.js';
import { oauthRoutes } from './oauth/routes.js';
import { tokenImportRoutes } from './oauth/token-import.js';
import { routeBuilder, type AdminRoute, type RouteSpec } from './route.js';
import { alertRoutes } from './system/alerts.js';
import { systemRoutes } from './system/routes.js';
import { sessionRoutes } from './system/session.js';
import { settingsRoutes } from './system/settings.js';
import { overviewRoutes } from './usage/overview.js';
import { requestRoutes } from './usage/requests.js';
import { usageRoutes } from './usage/routes.js';

/** A route as documented: its spec and where its scope is mounted. */
export interface DocumentedRoute extends RouteSpec {
  /** Path as mounted, in OpenAPI's form: '/admin/keys/{id}'. */
  fullPath: string;
}

const jsonSchema = (s: z.ZodType, io: 'input' | 'output' = 'input') => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
};

function queryParameters(s: z.ZodType) {
  const js = jsonSchema(s) as { properties?: Record<string, Record<string, unknown>>; required?: string[] };
  return Object.entries(js.properties ?? {}).map(([name, schema]) => ({
    name,
    in: 'query',
    required: (js.required ?? []).includes(name) && !('default' in schema),
    schema,
  }));
}

const errorShape = {
  type: 'object',
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: { code: { type: 'string' }, message: { type: 'string' }, details: {}, requestId: { type: 'string' }, retryAfterSec: { type: 'integer' } },
    },
  },
};

/** The document of `routes` (every documented route when omitted). */
export function buildOpenApi(version: string, routes: DocumentedRoute[] = documentedRoutes()) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const d of routes) {
    const op: Record<string, unknown> = {
      summary: d.summary,
      tags: [d.tag],
      operationId: `${d.method.toLowerCase()}${d.fullPath.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    };
    const params: unknown[] = [...d.fullPath.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    const query = d.query ?? d.queryDoc;
    if (query) params.push(...queryParameters(query));
    if (params.length) op.parameters = params;
    const body = d.body ?? d.bodyDoc;
    if (body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(body) } } };
    const ok = d.produces
      ? { description: 'OK', content: { [d.produces]: { schema: { type: 'string' } } } }
      : { description: 'OK', content: { 'application/json': { schema: d.response ? jsonSchema(d.response, 'output') : {} } } };
    const responses: Record<string, unknown> = {
      ...(d.noContent ? { '204': { description: 'No content' } } : { [d.created ? '201' : '200']: ok }),
      default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    for (const [code, text] of Object.entries(d.responses ?? {}))
      responses[code] = { description: text, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    op.responses = responses;
    op.security = d.public ? [] : [{ bearer: [] }, { cookie: [] }];
    (paths[d.fullPath] ??= {})[d.method.toLowerCase()] = op;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Claude Relay Service admin API',
      version,
      description:
        'Admin API (`/admin`) and key-holder API (`/stats/api`). Errors are `{error:{code,message,details?,requestId}}`. Browser sessions use the ' +
        'HttpOnly `crs_admin` cookie and send `x-csrf-token` on mutations; scripts send `Authorization: Bearer <token>` from POST /web/auth/login. ' +
        'Times are ISO 8601 UTC; day and month buckets are in the relay’s reporting time zone (TIMEZONE_OFFSET); money is integer micro-USD (`costMicros`).',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        cookie: { type: 'apiKey', in: 'cookie', name: 'crs_admin' },
      },
      schemas: { Error: errorShape },
    },
    paths,
  };
}

const documents = new WeakMap<object, unknown>();

const openApiRoute = routeBuilder<{ version: string }>()(
  { method: 'GET', path: '/openapi.json', tag: 'system', summary: 'This document', response: z.record(z.string(), z.unknown()) },
  async (_ctx, deps) => {
    let doc = documents.get(deps);
    if (doc === undefined) documents.set(deps, (doc = buildOpenApi(deps.version)));
    return doc;
  },
);

/** Every route of the admin API, registered by adminApi in this order. */
export const ADMIN_ROUTES: AdminRoute<AdminDeps>[] = [
  ...accountRoutes,
  ...groupRoutes,
  ...oauthRoutes,
  ...tokenImportRoutes,
  ...keyRoutes,
  ...usageRoutes,
  ...sessionRoutes,
  ...overviewRoutes,
  ...requestRoutes,
  ...systemRoutes,
  ...scheduledTestRoutes,
  ...settingsRoutes,
  ...alertRoutes,
  openApiRoute,
];

/** Each scope's mount point and its routes: what the document lists. */
const MOUNTS: { mount: string; routes: { spec: RouteSpec }[] }[] = [
  { mount: '/web', routes: WEB_AUTH_ROUTES },
  { mount: '/admin', routes: ADMIN_ROUTES },
  { mount: '/stats/api', routes: STATS_ROUTES },
];

/** Every documented route with its mounted path (':id' becomes '{id}'). */
export function documentedRoutes(): DocumentedRoute[] {
  return MOUNTS.flatMap(({ mount, routes }) => routes.map(({ spec }) => ({ ...spec, fullPath: mount + spec.path.replace(/:(\w+)/g, '{$1}') })));
}
