// /admin/notifications: alert channels (create, edit, delete; secrets go in and never come out), a test send,
// and the history of events with each channel's delivery status.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Alerts } from '../../ops/alerts/index.js';
import { ALERT_EVENTS, CHANNEL_TYPES, channelCreateSchema, channelPatchSchema, SECRET_FIELDS, TYPE_FIELDS } from '../../ops/alerts/types.js';
import type { RouteDoc } from './route-docs.js';
import { parseInput } from './validate.js';

const testSchema = z.strictObject({ target: z.string().trim().min(1).max(100) });
const historyQuerySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export function alertRoutes(app: FastifyInstance, deps: { alerts: Alerts }): void {
  const { channels, service } = deps.alerts;
  const id = (p: unknown) => (p as { id: string }).id;
  app.get('/notifications/channels', async () => ({
    items: (await channels.list()).map((c) => channels.view(c)),
    types: CHANNEL_TYPES.map((type) => ({ type, ...TYPE_FIELDS[type] })),
    events: ALERT_EVENTS,
    secretFields: SECRET_FIELDS,
  }));
  app.post('/notifications/channels', async (request, reply) =>
    reply.code(201).send(channels.view(await channels.create(parseInput(channelCreateSchema, request.body)))),
  );
  app.patch('/notifications/channels/:id', async (request) =>
    channels.view(await channels.update(id(request.params), parseInput(channelPatchSchema, request.body))),
  );
  app.delete('/notifications/channels/:id', async (request, reply) => {
    await channels.remove(id(request.params));
    return reply.code(204).send();
  });
  app.post('/notifications/test', async (request) => service.test(parseInput(testSchema, request.body).target));
  app.get('/notifications/history', async (request) => {
    const q = parseInput(historyQuerySchema, request.query);
    const items = await service.history(q.limit);
    return {
      items: items.map((e) => ({
        ...e,
        event: { ...e.event, at: new Date(e.event.at).toISOString() },
        deliveries: e.deliveries.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
      })),
    };
  });
}

export const alertDocs: RouteDoc[] = [
  {
    method: 'GET',
    path: '/admin/notifications/channels',
    tag: 'notifications',
    summary: 'Alert channels (no secret values: a URL hint and the names of the secrets set), the channel types with their fields, the event names',
  },
  {
    method: 'POST',
    path: '/admin/notifications/channels',
    tag: 'notifications',
    summary: 'Add a channel: webhook (generic JSON, optional HMAC secret), wecom, dingtalk and feishu (optional signing secret), slack, telegram, bark, smtp',
    body: channelCreateSchema,
  },
  {
    method: 'PATCH',
    path: '/admin/notifications/channels/{id}',
    tag: 'notifications',
    summary: 'Edit a channel; secret fields left out keep their value, an empty string removes an optional one',
    body: channelPatchSchema,
  },
  { method: 'DELETE', path: '/admin/notifications/channels/{id}', tag: 'notifications', summary: 'Delete a channel' },
  {
    method: 'POST',
    path: '/admin/notifications/test',
    tag: 'notifications',
    summary: 'Send a test notification to one channel now (one try) and return the delivery: status, HTTP status, error',
    body: testSchema,
  },
  {
    method: 'GET',
    path: '/admin/notifications/history',
    tag: 'notifications',
    summary: 'The last alert events, newest first, each with its delivery status per channel',
    query: historyQuerySchema,
  },
];
