// /admin/notifications: alert channels (create, edit, delete; secrets go in and never come out), a test send,
// and the history of events with each channel's delivery status.
import type { Alerts } from '../../../ops/alerts/index.js';
import { ALERT_EVENTS, CHANNEL_TYPES, channelCreateSchema, channelPatchSchema, SECRET_FIELDS, TYPE_FIELDS } from '../../../ops/alerts/types.js';
import { idParams, routeBuilder } from '../route.js';
import { alertHistoryList, channelList, channelView, testDeliveryView } from './answers.js';
import { alertHistoryQuerySchema, alertTestSchema } from './schemas.js';

const route = routeBuilder<{ alerts: Alerts }>();
const tag = 'notifications';

export const alertRoutes = [
  route(
    {
      method: 'GET',
      path: '/notifications/channels',
      tag,
      summary: 'Alert channels (no secret values: a URL hint and the names of the secrets set), the channel types with their fields, the event names',
      response: channelList,
    },
    async (_ctx, { alerts: { channels } }) => ({
      items: (await channels.list()).map((c) => channels.view(c)),
      types: CHANNEL_TYPES.map((type) => ({ type, ...TYPE_FIELDS[type] })),
      events: ALERT_EVENTS,
      secretFields: SECRET_FIELDS,
    }),
  ),
  route(
    {
      method: 'POST',
      created: true,
      path: '/notifications/channels',
      tag,
      summary: 'Add a channel: webhook (generic JSON, optional HMAC secret), wecom, dingtalk and feishu (optional signing secret), slack, telegram, bark, smtp',
      body: channelCreateSchema,
      response: channelView,
    },
    async ({ body, reply }, { alerts: { channels } }) => reply.code(201).send(channels.view(await channels.create(body))),
  ),
  route(
    {
      method: 'PATCH',
      path: '/notifications/channels/:id',
      tag,
      summary: 'Edit a channel; secret fields left out keep their value, an empty string removes an optional one',
      params: idParams,
      body: channelPatchSchema,
      response: channelView,
    },
    async ({ params, body }, { alerts: { channels } }) => channels.view(await channels.update(params.id, body)),
  ),
  route(
    { method: 'DELETE', path: '/notifications/channels/:id', tag, summary: 'Delete a channel', params: idParams, noContent: true },
    async ({ params, reply }, { alerts }) => {
      await alerts.channels.remove(params.id);
      return reply.code(204).send();
    },
  ),
  route(
    {
      method: 'POST',
      path: '/notifications/test',
      tag,
      summary: 'Send a test notification to one channel now (one try) and return the delivery: status, HTTP status, error',
      body: alertTestSchema,
      response: testDeliveryView,
    },
    async ({ body }, { alerts }) => alerts.service.test(body.target),
  ),
  route(
    {
      method: 'GET',
      path: '/notifications/history',
      tag,
      summary: 'The last alert events, newest first, each with its delivery status per channel',
      query: alertHistoryQuerySchema,
      response: alertHistoryList,
    },
    async ({ query }, { alerts }) => {
      const items = await alerts.service.history(query.limit);
      return {
        items: items.map((e) => ({
          ...e,
          event: { ...e.event, at: new Date(e.event.at).toISOString() },
          deliveries: e.deliveries.map((d) => ({ ...d, at: new Date(d.at).toISOString() })),
        })),
      };
    },
  ),
];
