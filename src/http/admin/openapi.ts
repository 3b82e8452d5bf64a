// GET /admin/openapi.json: the OpenAPI 3.1 document of the admin and key-holder APIs, generated from the zod
// schemas the handlers validate with (zod 4's JSON Schema conversion, input side).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { statsDocs } from '../stats/index.js';
import { accountExtraDocs } from './account-extras.js';
import { alertDocs } from './alerts.js';
import { analyticsDocs } from './analytics.js';
import { groupDocs } from './groups.js';
import { keyExtraDocs } from './key-extras.js';
import { oauthDocs } from './oauth.js';
import { tokenImportDocs } from './token-import.js';
import { overviewDocs } from './overview.js';
import { requestDocs } from './requests.js';
import type { RouteDoc } from './route-docs.js';
import { accountCreateSchema, accountPatchSchema, apiKeyCreateSchema, apiKeyPatchSchema, listQuerySchema, usageQuerySchema } from './schemas.js';
import { sessionDocs } from './session.js';
import { scheduledTestDocs } from './scheduled-tests.js';
import { settingsDocs } from './settings.js';
import { systemDocs } from './system.js';

/** The CRUD routes that predate the web UI, described with the schemas their handlers use. */
const coreDocs: RouteDoc[] = [
  { method: 'POST', path: '/web/auth/login', tag: 'session', summary: 'Log in for scripts: returns a bearer token (no cookie)', public: true },
  { method: 'GET', path: '/admin/accounts', tag: 'accounts', summary: 'Every upstream account (no secrets)' },
  {
    method: 'POST',
    path: '/admin/accounts',
    tag: 'accounts',
    summary: 'Add an upstream account (credentials go in, never come out)',
    body: accountCreateSchema,
  },
  { method: 'GET', path: '/admin/accounts/{id}', tag: 'accounts', summary: 'One account' },
  {
    method: 'PATCH',
    path: '/admin/accounts/{id}',
    tag: 'accounts',
    summary: 'Edit an account (schedulable, priority, credentials by replacement …)',
    body: accountPatchSchema,
  },
  { method: 'DELETE', path: '/admin/accounts/{id}', tag: 'accounts', summary: 'Delete an account' },
  {
    method: 'POST',
    path: '/admin/accounts/{id}/reset-health',
    tag: 'accounts',
    summary: 'Clear every health reason (on every instance); returns the account with its new health',
  },
  { method: 'GET', path: '/admin/keys', tag: 'keys', summary: 'Keys, paged (also at /admin/api-keys)', query: listQuerySchema },
  { method: 'POST', path: '/admin/keys', tag: 'keys', summary: 'Create a key: 201 with `key`, shown only in this answer', body: apiKeyCreateSchema },
  { method: 'GET', path: '/admin/keys/{id}', tag: 'keys', summary: 'One key (no secret)' },
  { method: 'PATCH', path: '/admin/keys/{id}', tag: 'keys', summary: 'Edit a key (limits, tags, enable/disable, expiry …)', body: apiKeyPatchSchema },
  {
    method: 'POST',
    path: '/admin/keys/{id}/reset-counters',
    tag: 'keys',
    summary: 'Clear the key’s limit counters (window, daily, weekly, total) and leases; statistics and logs are kept',
  },
  { method: 'DELETE', path: '/admin/keys/{id}', tag: 'keys', summary: 'Soft delete (permanent=true purges)' },
  { method: 'GET', path: '/admin/usage', tag: 'usage', summary: 'Token and cost totals per bucket', query: usageQuerySchema },
  { method: 'GET', path: '/admin/openapi.json', tag: 'system', summary: 'This document' },
];

/** Every documented route: each admin file exports its list next to its handlers. */
export const ALL_DOCS: RouteDoc[] = [
  ...coreDocs,
  ...sessionDocs,
  ...overviewDocs,
  ...analyticsDocs,
  ...requestDocs,
  ...systemDocs,
  ...keyExtraDocs,
  ...accountExtraDocs,
  ...scheduledTestDocs,
  ...oauthDocs,
  ...tokenImportDocs,
  ...groupDocs,
  ...settingsDocs,
  ...alertDocs,
  ...statsDocs,
];

const jsonSchema = (s: z.ZodType) => {
  const { $schema: _drop, ...rest } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
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

export function buildOpenApi(version: string, docs: RouteDoc[] = ALL_DOCS) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const d of docs) {
    const op: Record<string, unknown> = {
      summary: d.summary,
      tags: [d.tag],
      operationId: `${d.method.toLowerCase()}${d.path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
    };
    const params: unknown[] = [...d.path.matchAll(/\{(\w+)\}/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
    if (d.query) params.push(...queryParameters(d.query));
    if (params.length) op.parameters = params;
    if (d.body) op.requestBody = { required: true, content: { 'application/json': { schema: jsonSchema(d.body) } } };
    const ok = d.produces
      ? { description: 'OK', content: { [d.produces]: { schema: { type: 'string' } } } }
      : { description: 'OK', content: { 'application/json': { schema: {} } } };
    const responses: Record<string, unknown> = {
      '200': ok,
      default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
    };
    for (const [code, text] of Object.entries(d.responses ?? {}))
      responses[code] = { description: text, content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
    op.responses = responses;
    op.security = d.public ? [] : [{ bearer: [] }, { cookie: [] }];
    (paths[d.path] ??= {})[d.method.toLowerCase()] = op;
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

export function openApiRoutes(app: FastifyInstance, deps: { version: string }): void {
  let cached: unknown = null;
  app.get('/openapi.json', async () => (cached ??= buildOpenApi(deps.version)));
}
