// zod schemas of the answers of the system, session, settings and notification routes (RouteSpec.response).
import { z } from 'zod';
import { CLIENT_IDS, SERVICES, WEEKLY_COST_FAMILIES } from '../../../core/api-key.js';
import { ERROR_CATALOGUE, type ErrorCode } from '../../../core/errors.js';
import { notificationSettingsShape, relaySettingsShape, retentionSettingsShape } from '../../../admin/settings-schemas.js';
import { ALERT_EVENTS, CHANNEL_TYPES, SECRET_FIELDS } from '../../../ops/alerts/types.js';
import { ACCOUNT_KINDS } from '../../../providers/registry.js';
import { isoTime } from '../answers.js';

// ---- system

/** The store's kind and whether it answered (`latencyMs` null and `error` set when it did not). */
export const storeStatusView = z.object({
  kind: z.enum(['sqlite', 'redis']),
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  error: z.string().optional(),
});

/** GET /admin/system: version, uptime, store health and the reporting time zone. */
export const systemView = z.object({
  version: z.string(),
  now: isoTime,
  startedAt: isoTime,
  uptimeSec: z.number(),
  node: z.string(),
  store: storeStatusView,
  timezoneOffsetHours: z.number(),
  tz: z.string(),
});

/** An account kind as the forms need it: protocol label, OAuth or not, credential fields, provider terms. */
export const accountKindView = z.object({
  kind: z.enum(ACCOUNT_KINDS),
  protocol: z.string(),
  oauth: z.boolean(),
  credentialFields: z.array(z.object({ name: z.string(), required: z.boolean() })),
  terms: z.string().nullable(),
});

/** A client a key can be restricted to, with how the relay recognises it. */
export const knownClientView = z.object({ id: z.enum(CLIENT_IDS), label: z.string(), note: z.string() });

/** GET /admin/meta: the enums the forms need. */
export const metaView = z.object({
  accountKinds: z.array(accountKindView),
  models: z.array(z.string()),
  /** API family (anthropic, openai, gemini) → the price table's model names. */
  modelsByProtocol: z.record(z.string(), z.array(z.string())),
  clients: z.array(knownClientView),
  services: z.array(z.enum(SERVICES)),
  weeklyCostFamilies: z.array(z.enum(WEEKLY_COST_FAMILIES)),
  errorCodes: z.array(z.enum(Object.keys(ERROR_CATALOGUE) as [ErrorCode, ...ErrorCode[]])),
  timezoneOffsetHours: z.number(),
  tz: z.string(),
});

// ---- session

/** POST /admin/session: the signed-in admin, session expiry and the CSRF token for mutations (the cookie is set aside). */
export const loginView = z.object({
  username: z.string(),
  expiresAt: isoTime,
  csrfToken: z.string(),
  mustChangePassword: z.boolean(),
});

/** GET /admin/session: who is signed in and how (the CSRF token only for a cookie session). */
export const sessionView = z.object({
  username: z.string(),
  expiresAt: isoTime,
  via: z.enum(['cookie', 'bearer']),
  csrfToken: z.string().nullable(),
  mustChangePassword: z.boolean(),
});

/** GET /admin/session/hints: whether the login page points at data/app/init.json. */
export const sessionHintsView = z.object({ initFileHint: z.boolean() });

// ---- settings

/** A settings section as the admin API shows it: its values, its defaults, and who changed it last (null: nobody). */
const sectionView = <S extends z.ZodRawShape>(shape: S) =>
  z.object({ values: z.object(shape), defaults: z.object(shape), updatedAt: isoTime.nullable(), updatedBy: z.string().nullable() });

/** The relay section (wait queue, stickiness, failover, cooldowns, auto-pause, allowed clients). */
export const relaySettingsView = sectionView(relaySettingsShape);
/** The notifications section (on/off, near-limit %, de-duplication, store check interval, language). */
export const notificationSettingsView = sectionView(notificationSettingsShape);
/** The retention section (request-log days). */
export const retentionSettingsView = sectionView(retentionSettingsShape);
/** One settings section, whichever `:section` names. */
export const settingsSectionView = z.union([relaySettingsView, notificationSettingsView, retentionSettingsView]);
/** GET /admin/settings: every section by name. */
export const settingsView = z.object({ relay: relaySettingsView, notifications: notificationSettingsView, retention: retentionSettingsView });

// ---- notifications

/** An alert channel: its public settings that are set, a hint of its URL, the names of the secrets set (never values). */
export const channelView = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(CHANNEL_TYPES),
  enabled: z.boolean(),
  /** Events sent to this channel; empty = every event. */
  events: z.array(z.enum(ALERT_EVENTS)),
  chatId: z.string().optional(),
  server: z.string().optional(),
  group: z.string().optional(),
  host: z.string().optional(),
  port: z.number().optional(),
  secure: z.boolean().optional(),
  username: z.string().optional(),
  from: z.string().optional(),
  to: z.array(z.string()).optional(),
  urlHint: z.string().nullable(),
  secretsSet: z.array(z.enum(SECRET_FIELDS)),
  createdAt: isoTime,
  updatedAt: isoTime,
});

/** GET /admin/notifications/channels: the channels, each type's fields, the event names and the secret field names. */
export const channelList = z.object({
  items: z.array(channelView),
  types: z.array(z.object({ type: z.enum(CHANNEL_TYPES), required: z.array(z.string()), optional: z.array(z.string()) })),
  events: z.array(z.enum(ALERT_EVENTS)),
  secretFields: z.array(z.enum(SECRET_FIELDS)),
});

const deliveryFields = {
  channelId: z.string(),
  channelName: z.string(),
  type: z.enum(CHANNEL_TYPES),
  status: z.enum(['pending', 'sent', 'failed']),
  attempts: z.number(),
  /** HTTP status of the last answer (0 = none: a network error, or mail). */
  httpStatus: z.number(),
  error: z.string().nullable(),
};

/** A delivery of an event to one channel, as the history shows it. */
export const deliveryView = z.object({ ...deliveryFields, at: isoTime });

/** POST /admin/notifications/test: the test delivery; `at` is epoch ms here (the history gives ISO times). */
export const testDeliveryView = z.object({ ...deliveryFields, at: z.number() });

/** An alert event as every channel format renders it (no secret). */
export const alertEventView = z.object({
  id: z.string(),
  type: z.enum(ALERT_EVENTS),
  at: isoTime,
  severity: z.enum(['critical', 'warning', 'info']),
  subject: z.object({ kind: z.enum(['account', 'key', 'store', 'test']), id: z.string().optional(), name: z.string().optional() }),
  title: z.string(),
  lines: z.array(z.string()),
  data: z.record(z.string(), z.unknown()),
  instance: z.string(),
});

/** One history entry: the event, its deliveries, and why nothing was sent when nothing was. */
export const alertHistoryEntryView = z.object({ event: alertEventView, deliveries: z.array(deliveryView), note: z.string().nullable() });

/** GET /admin/notifications/history: the last events, newest first. */
export const alertHistoryList = z.object({ items: z.array(alertHistoryEntryView) });
