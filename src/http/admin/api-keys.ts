// /admin/api-keys (also /admin/keys): create (the key is returned once), list, read, edit, delete.
import type { FastifyInstance } from 'fastify';
import type { ApiKey } from '../../core/api-key.js';
import type { Clock } from '../../core/clock.js';
import { apiKeyStatus, type ApiKeyService } from '../../services/api-keys.js';
import { apiKeyCreateSchema, apiKeyPatchSchema, listQuerySchema } from './schemas.js';
import { parseInput } from './validate.js';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

export function apiKeyView(k: ApiKey, now: number) {
  return {
    id: k.id,
    name: k.name,
    description: k.description,
    tags: k.tags,
    prefix: k.prefix,
    isActive: k.isActive,
    status: apiKeyStatus(k, now),
    expiresAt: iso(k.expiresAt),
    createdAt: iso(k.createdAt),
    updatedAt: iso(k.updatedAt),
    lastUsedAt: iso(k.lastUsedAt),
    deletedAt: iso(k.deletedAt),
  };
}

export function apiKeyRoutes(app: FastifyInstance, deps: { keys: ApiKeyService; clock: Clock }): void {
  const { keys, clock } = deps;
  for (const base of ['/api-keys', '/keys']) {
    app.post(base, async (request, reply) => {
      const input = parseInput(apiKeyCreateSchema, request.body);
      const { record, key } = await keys.create(input);
      return reply.code(201).send({ ...apiKeyView(record, clock.now()), key });
    });
    app.get(base, async (request) => {
      const q = parseInput(listQuerySchema, request.query);
      const { items, total } = await keys.list({ q: q.q, includeDeleted: q.includeDeleted, offset: (q.page - 1) * q.pageSize, limit: q.pageSize });
      const now = clock.now();
      return { items: items.map((k) => apiKeyView(k, now)), total, page: q.page, pageSize: q.pageSize };
    });
    app.get(`${base}/:id`, async (request) => apiKeyView(await keys.get((request.params as { id: string }).id), clock.now()));
    app.patch(`${base}/:id`, async (request) => {
      const patch = parseInput(apiKeyPatchSchema, request.body);
      return apiKeyView(await keys.update((request.params as { id: string }).id, patch), clock.now());
    });
    app.delete(`${base}/:id`, async (request, reply) => {
      const id = (request.params as { id: string }).id;
      if ((request.query as { permanent?: string }).permanent === 'true') {
        await keys.purge(id);
        return reply.code(204).send();
      }
      return apiKeyView(await keys.softDelete(id), clock.now());
    });
  }
}
