// /admin/accounts: upstream accounts. Credentials go in, never come out.
import type { FastifyInstance } from 'fastify';
import type { AccountPool } from '../../services/account-pool.js';
import type { AccountService } from '../../services/accounts.js';
import { accountCreateSchema, accountPatchSchema } from './schemas.js';
import { parseInput } from './validate.js';

export function accountRoutes(app: FastifyInstance, deps: { accounts: AccountService; pool: AccountPool }): void {
  const { accounts, pool } = deps;
  const view = (a: Parameters<AccountService['view']>[0]) => accounts.view(a, pool.lastUsedAt(a.id));

  app.post('/accounts', async (request, reply) => {
    const { apiKey, ...input } = parseInput(accountCreateSchema, request.body);
    const a = await accounts.create({ ...input, secrets: { apiKey } });
    return reply.code(201).send(view(a));
  });
  app.get('/accounts', async () => {
    const items = (await accounts.list()).map(view);
    return { items, total: items.length };
  });
  app.get('/accounts/:id', async (request) => view(await accounts.get((request.params as { id: string }).id)));
  app.patch('/accounts/:id', async (request) => {
    const { apiKey, ...patch } = parseInput(accountPatchSchema, request.body);
    const a = await accounts.update((request.params as { id: string }).id, {
      ...patch,
      ...(apiKey !== undefined ? { secrets: { apiKey } } : {}),
    });
    return view(a);
  });
  app.delete('/accounts/:id', async (request, reply) => {
    await accounts.remove((request.params as { id: string }).id);
    return reply.code(204).send();
  });
}
