// The vocabulary of alerts: the events the relay reports, the channel kinds it can send them to, and the
// admin-facing channel shape (secrets go in, never come out).
import { z } from 'zod';

/** What the relay reports. `test` is the Settings button's. */
export const ALERT_EVENTS = [
  'account_unusable',
  'account_recovered',
  'key_near_limit',
  'key_limit_reached',
  'store_unreachable',
  'store_recovered',
  'test',
] as const;
export type AlertEventType = (typeof ALERT_EVENTS)[number];

/** Why an account is unusable (the state an `account_unusable` event names). */
export const ACCOUNT_CONDITIONS = ['blocked', 'unauthorized', 'refresh_failed', 'quota_exhausted'] as const;
export type AccountCondition = (typeof ACCOUNT_CONDITIONS)[number];

export const CHANNEL_TYPES = ['webhook', 'wecom', 'dingtalk', 'feishu', 'slack', 'telegram', 'bark', 'smtp'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

export type Severity = 'critical' | 'warning' | 'info';

/** One event as every channel format renders it. Never carries a secret. */
export interface AlertEvent {
  id: string;
  type: AlertEventType;
  /** Epoch ms. */
  at: number;
  severity: Severity;
  /** What it is about. */
  subject: { kind: 'account' | 'key' | 'store' | 'test'; id?: string; name?: string };
  /** Short headline and a few plain lines, in the configured language. */
  title: string;
  lines: string[];
  /** Structured details for the generic JSON (state, reason, limit kind, used, limit, ratio, reset …). */
  data: Record<string, unknown>;
  /** The relay instance that sent it. */
  instance: string;
}

/** A channel's settings that are not secret (shown back in the admin API as they are). */
export interface ChannelPublic {
  /** telegram: the chat id. */
  chatId?: string;
  /** telegram: API root (default https://api.telegram.org); bark: server (default https://api.day.app). */
  server?: string;
  /** bark: notification group. */
  group?: string;
  /** smtp */
  host?: string;
  port?: number;
  secure?: boolean;
  username?: string;
  from?: string;
  to?: string[];
}

/** Secret settings, sealed at rest: webhook URLs carry their tokens, so they are secrets too. */
export interface ChannelSecrets {
  url?: string;
  /** Signing secret (dingtalk, feishu, generic webhook HMAC). */
  secret?: string;
  /** telegram */
  botToken?: string;
  /** bark */
  deviceKey?: string;
  /** smtp */
  password?: string;
}

/** A channel as stored. */
export interface StoredChannel {
  id: string;
  name: string;
  type: ChannelType;
  enabled: boolean;
  /** Events sent to this channel; empty = every event. */
  events: AlertEventType[];
  config: ChannelPublic;
  /** Sealed JSON of ChannelSecrets. */
  sealed: string;
  createdAt: number;
  updatedAt: number;
}

/** A channel ready to send: its secrets opened. */
export interface ResolvedChannel extends Omit<StoredChannel, 'sealed'> {
  secrets: ChannelSecrets;
}

const text = (max: number) => z.string().trim().min(1).max(max);

/** The admin payload of a channel (create: all required fields of its type; patch: any). */
export const channelFields = {
  name: text(100),
  type: z.enum(CHANNEL_TYPES),
  enabled: z.boolean(),
  events: z.array(z.enum(ALERT_EVENTS)).max(ALERT_EVENTS.length),
  url: z.string().trim().max(2048),
  secret: z.string().max(512),
  botToken: z.string().trim().max(512),
  chatId: text(100),
  server: z.string().trim().max(2048),
  group: z.string().trim().max(100),
  deviceKey: z.string().trim().max(512),
  host: text(255),
  port: z.number().int().min(1).max(65_535),
  secure: z.boolean(),
  username: z.string().trim().max(255),
  password: z.string().max(512),
  from: text(320),
  to: z.array(z.email().max(320)).min(1).max(50),
};

export const channelCreateSchema = z
  .strictObject({ ...channelFields, enabled: channelFields.enabled.optional(), events: channelFields.events.optional() })
  .partial()
  .required({ name: true, type: true });
export const channelPatchSchema = z.strictObject(channelFields).partial().omit({ type: true });
export type ChannelInput = z.infer<typeof channelCreateSchema>;
export type ChannelPatch = z.infer<typeof channelPatchSchema>;

/** Which fields each type needs (secrets marked). */
export const TYPE_FIELDS: Record<ChannelType, { required: string[]; optional: string[] }> = {
  webhook: { required: ['url'], optional: ['secret'] },
  wecom: { required: ['url'], optional: [] },
  dingtalk: { required: ['url'], optional: ['secret'] },
  feishu: { required: ['url'], optional: ['secret'] },
  slack: { required: ['url'], optional: [] },
  telegram: { required: ['botToken', 'chatId'], optional: ['server'] },
  bark: { required: ['deviceKey'], optional: ['server', 'group'] },
  smtp: { required: ['host', 'from', 'to'], optional: ['port', 'secure', 'username', 'password'] },
};

export const SECRET_FIELDS = ['url', 'secret', 'botToken', 'deviceKey', 'password'] as const;

/** One delivery attempt series to one channel, as the history keeps it (no secrets, no bodies). */
export interface Delivery {
  channelId: string;
  channelName: string;
  type: ChannelType;
  status: 'pending' | 'sent' | 'failed';
  attempts: number;
  /** HTTP status of the last answer (0 = none, e.g. a network error or mail). */
  httpStatus: number;
  error: string | null;
  at: number;
}

export interface HistoryEntry {
  event: AlertEvent;
  deliveries: Delivery[];
  /** Why nothing was sent, when nothing was (no channel wants it, alerts off). */
  note: string | null;
}
