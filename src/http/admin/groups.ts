// /admin/groups: account groups (CRUD and membership).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GroupService } from '../../accounts/groups.js';
import type { RouteDoc } from './route-docs.js';
import { parseInput } from './validate.js';

const groupSchema = z.strictObject({ name: z.string().trim().min(1).max(100), description: z.string().max(500).optional() });
const groupPatchSchema = groupSchema.partial();
const membersSchema = z.strictObject({ add: z.array(z.string().min(1)).max(1000).optional(), remove: z.array(z.string().min(1)).max(1000).optional() });

export function groupRoutes(app: FastifyInstance, deps: { groups: GroupService }): void {
  const { groups } = deps;
  const view = async (g: Awaited<ReturnType<GroupService['get']>>) => ({
    ...g,
    createdAt: new Date(g.createdAt).toISOString(),
    updatedAt: new Date(g.updatedAt).toISOString(),
    members: await groups.members(g.id),
  });
  app.get('/groups', async () => {
    const items = await Promise.all((await groups.list()).map(view));
    return { items, total: items.length };
  });
  app.post('/groups', async (request, reply) => reply.code(201).send(await view(await groups.create(parseInput(groupSchema, request.body)))));
  app.get('/groups/:id', async (request) => view(await groups.get((request.params as { id: string }).id)));
  app.patch('/groups/:id', async (request) => view(await groups.update((request.params as { id: string }).id, parseInput(groupPatchSchema, request.body))));
  app.put('/groups/:id/members', async (request) => {
    const id = (request.params as { id: string }).id;
    return { id, members: await groups.setMembers(id, parseInput(membersSchema, request.body)) };
  });
  app.delete('/groups/:id', async (request, reply) => {
    await groups.remove((request.params as { id: string }).id, (request.query as { force?: string }).force === 'true');
    return reply.code(204).send();
  });
}

export const groupDocs: RouteDoc[] = [
  { method: 'GET', path: '/admin/groups', tag: 'groups', summary: 'Account groups with their members' },
  { method: 'POST', path: '/admin/groups', tag: 'groups', summary: 'Create a group', body: groupSchema },
  { method: 'GET', path: '/admin/groups/{id}', tag: 'groups', summary: 'One group' },
  { method: 'PATCH', path: '/admin/groups/{id}', tag: 'groups', summary: 'Rename or describe a group', body: groupPatchSchema },
  { method: 'PUT', path: '/admin/groups/{id}/members', tag: 'groups', summary: 'Add and remove member accounts', body: membersSchema },
  { method: 'DELETE', path: '/admin/groups/{id}', tag: 'groups', summary: 'Delete a group (force=true even when it has members)' },
];
