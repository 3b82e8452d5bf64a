// /admin/groups: account groups (CRUD and membership).
import { z } from 'zod';
import type { GroupService } from '../../../accounts/groups.js';
import { idParams, queryFlag, routeBuilder } from '../route.js';
import { groupList, groupPatchSchema, groupSchema, groupView, membersSchema, membersView } from './schemas.js';

interface Deps {
  groups: GroupService;
}

const route = routeBuilder<Deps>();
const tag = 'groups';

async function view(groups: GroupService, g: Awaited<ReturnType<GroupService['get']>>) {
  return { ...g, createdAt: new Date(g.createdAt).toISOString(), updatedAt: new Date(g.updatedAt).toISOString(), members: await groups.members(g.id) };
}

export const groupRoutes = [
  route({ method: 'GET', path: '/groups', tag, summary: 'Account groups with their members', response: groupList }, async (_ctx, { groups }) => {
    const items = await Promise.all((await groups.list()).map((g) => view(groups, g)));
    return { items, total: items.length };
  }),
  route(
    { method: 'POST', path: '/groups', created: true, tag, summary: 'Create a group', body: groupSchema, response: groupView },
    async ({ body, reply }, { groups }) => reply.code(201).send(await view(groups, await groups.create(body))),
  ),
  route({ method: 'GET', path: '/groups/:id', tag, summary: 'One group', params: idParams, response: groupView }, async ({ params }, { groups }) =>
    view(groups, await groups.get(params.id)),
  ),
  route(
    { method: 'PATCH', path: '/groups/:id', tag, summary: 'Rename or describe a group', params: idParams, body: groupPatchSchema, response: groupView },
    async ({ params, body }, { groups }) => view(groups, await groups.update(params.id, body)),
  ),
  route(
    {
      method: 'PUT',
      path: '/groups/:id/members',
      tag,
      summary: 'Add and remove member accounts',
      params: idParams,
      body: membersSchema,
      response: membersView,
    },
    async ({ params: { id }, body }, { groups }) => ({ id, members: await groups.setMembers(id, body) }),
  ),
  route(
    {
      method: 'DELETE',
      path: '/groups/:id',
      tag,
      summary: 'Delete a group (force=true even when it has members)',
      noContent: true,
      params: idParams,
      query: z.object({ force: queryFlag }),
    },
    async ({ params, query, reply }, { groups }) => {
      await groups.remove(params.id, query.force === 'true');
      return reply.code(204).send();
    },
  ),
];
