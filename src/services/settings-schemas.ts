// The runtime settings sections edited in Settings, as zod shapes and defaults. A stored document only holds what
// an operator changed; reading merges it over the defaults, so a new field needs no migration.
import { z } from 'zod';

/** Relay behaviour: the concurrency wait queue's defaults (the reference project's names). */
export const relaySettingsShape = {
  /** Keys whose own setting is "default" wait for a slot instead of an immediate 429. */
  concurrentRequestQueueEnabled: z.boolean(),
  /** Requests that may wait per key (at least this many). */
  concurrentRequestQueueMaxSize: z.number().int().min(1).max(1000),
  /** …or the key's concurrency limit times this, when larger (0 = the fixed size only). */
  concurrentRequestQueueMaxSizeMultiplier: z.number().min(0).max(100),
  /** Longest wait before the normal 429 (ms). */
  concurrentRequestQueueTimeoutMs: z.number().int().min(1000).max(600_000),
};

export const RELAY_DEFAULTS: RelaySettings = {
  concurrentRequestQueueEnabled: false,
  concurrentRequestQueueMaxSize: 3,
  concurrentRequestQueueMaxSizeMultiplier: 0,
  concurrentRequestQueueTimeoutMs: 10_000,
};

/** Notifications: when alerts fire and how often (the channels are kept apart: they carry sealed secrets). */
export const notificationSettingsShape = {
  /** Master switch: no alert is sent while off (history still records events). */
  enabled: z.boolean(),
  /** A key "nears" a cost limit at this share of it (percent). */
  nearLimitPercent: z.number().int().min(1).max(99),
  /** The same event (account and state, key and limit, store) is sent at most once per this many minutes. */
  dedupeMinutes: z.number().int().min(0).max(1440),
  /** How often each instance checks that the store answers (seconds). */
  storeCheckSeconds: z.number().int().min(1).max(3600),
  /** Language of the alert texts. */
  language: z.enum(['zh-CN', 'en']),
};

export const NOTIFICATION_DEFAULTS: NotificationSettings = {
  enabled: true,
  nearLimitPercent: 80,
  dedupeMinutes: 30,
  storeCheckSeconds: 15,
  language: 'zh-CN',
};

/** Data & retention: how long the request log keeps entries (aggregates are kept). */
export const retentionSettingsShape = {
  /** Request-log entries older than this many days are deleted in the background (SQLite and Redis alike). */
  requestLogDays: z.number().int().min(1).max(365),
};

export const RETENTION_DEFAULTS: RetentionSettings = { requestLogDays: 30 };

export type RetentionSettings = { [K in keyof typeof retentionSettingsShape]: z.infer<(typeof retentionSettingsShape)[K]> };
export type RelaySettings = { [K in keyof typeof relaySettingsShape]: z.infer<(typeof relaySettingsShape)[K]> };
export type NotificationSettings = { [K in keyof typeof notificationSettingsShape]: z.infer<(typeof notificationSettingsShape)[K]> };

export interface SettingsSections {
  relay: RelaySettings;
  notifications: NotificationSettings;
  retention: RetentionSettings;
}
export type SectionName = keyof SettingsSections;

export const SECTIONS: { [N in SectionName]: { shape: z.ZodRawShape; defaults: SettingsSections[N] } } = {
  relay: { shape: relaySettingsShape, defaults: RELAY_DEFAULTS },
  notifications: { shape: notificationSettingsShape, defaults: NOTIFICATION_DEFAULTS },
  retention: { shape: retentionSettingsShape, defaults: RETENTION_DEFAULTS },
};

export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];

/** What PATCH /admin/settings/:section takes: any subset of the section's fields. */
export const sectionPatchSchema = (name: SectionName) => z.strictObject(SECTIONS[name].shape).partial();
