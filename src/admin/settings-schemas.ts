// The runtime settings sections edited in Settings, as zod shapes and defaults. A stored document only holds what
// an operator changed; reading merges it over the defaults (some of which come from the environment: see
// relayDefaultsFromConfig), so a new field needs no migration.
import { z } from 'zod';
import type { SchedulingConfig } from '../config/index.js';
import { CLIENT_IDS } from '../core/api-key.js';
import type { CooldownPolicy } from '../core/cooldowns.js';

const seconds = (max: number) => z.number().int().min(1).max(max);

/**
 * Relay behaviour: the concurrency wait queue's defaults (the reference project's names); stickiness, failover and
 * the cooldown per failure class when the upstream does not say how long (defaults from STICKY_*, FAILOVER_* and
 * COOLDOWN_*_SEC).
 */
export const relaySettingsShape = {
  /** Keys whose own setting is "default" wait for a slot instead of an immediate 429. */
  concurrentRequestQueueEnabled: z.boolean(),
  /** Requests that may wait per key (at least this many). */
  concurrentRequestQueueMaxSize: z.number().int().min(1).max(1000),
  /** …or the key's concurrency limit times this, when larger (0 = the fixed size only). */
  concurrentRequestQueueMaxSizeMultiplier: z.number().min(0).max(100),
  /** Longest wait before the normal 429 (ms). */
  concurrentRequestQueueTimeoutMs: z.number().int().min(1000).max(600_000),
  /** How long a conversation stays on its account after its last turn (hours). */
  stickySessionTtlHours: z.number().min(0.01).max(720),
  /** Renew the binding when less than this is left (minutes; 0 = never renew). */
  stickySessionRenewalThresholdMinutes: z.number().int().min(0).max(43_200),
  /** Most accounts one request tries before the client gets the error. */
  failoverMaxAttempts: z.number().int().min(1).max(20),
  /** 429 without a reset header (a reset header always wins). */
  cooldownRateLimitedSec: seconds(604_800),
  /** 429 of a short burst limit (requests or tokens per minute). */
  cooldownThrottledSec: seconds(86_400),
  /** 529 overloaded. */
  cooldownOverloadedSec: seconds(86_400),
  /** Other 5xx. */
  cooldownServerErrorSec: seconds(86_400),
  /** Timeout, connection refused or reset. */
  cooldownNetworkSec: seconds(86_400),
  /** 401 (credentials refused). */
  cooldownUnauthorizedSec: seconds(604_800),
  /** A bare 403 without an account-level signal. */
  cooldownForbiddenSec: seconds(86_400),
  /**
   * Pause a subscription account once its 5-hour window is this full (percent of the window; 0 = off) until the
   * window resets, keeping its last hour of quota for nobody rather than running it into a hard 429 mid-stream.
   */
  autoPauseFiveHourPercent: z.number().int().min(0).max(100),
  /** Relay-wide client restriction: only these clients may use any key (empty = any client; a key may narrow it). */
  allowedClients: z.array(z.enum(CLIENT_IDS)).max(CLIENT_IDS.length),
};

export const RELAY_DEFAULTS: RelaySettings = {
  concurrentRequestQueueEnabled: false,
  concurrentRequestQueueMaxSize: 3,
  concurrentRequestQueueMaxSizeMultiplier: 0,
  concurrentRequestQueueTimeoutMs: 10_000,
  stickySessionTtlHours: 1,
  stickySessionRenewalThresholdMinutes: 15,
  failoverMaxAttempts: 3,
  cooldownRateLimitedSec: 3600,
  cooldownThrottledSec: 15,
  cooldownOverloadedSec: 60,
  cooldownServerErrorSec: 60,
  cooldownNetworkSec: 30,
  cooldownUnauthorizedSec: 1800,
  cooldownForbiddenSec: 60,
  autoPauseFiveHourPercent: 0,
  allowedClients: [],
};

/** The relay section's defaults that the environment sets (STICKY_*, FAILOVER_MAX_ATTEMPTS, COOLDOWN_*_SEC). */
export function relayDefaultsFromConfig(s: SchedulingConfig): Partial<RelaySettings> {
  const c = s.cooldowns;
  return {
    stickySessionTtlHours: s.stickyTtlMs / 3_600_000,
    stickySessionRenewalThresholdMinutes: Math.round(s.stickyRenewBelowMs / 60_000),
    failoverMaxAttempts: s.maxAttempts,
    cooldownRateLimitedSec: c.rateLimitedSec,
    cooldownThrottledSec: c.throttledSec,
    cooldownOverloadedSec: c.overloadedSec,
    cooldownServerErrorSec: c.serverErrorSec,
    cooldownNetworkSec: c.networkSec,
    cooldownUnauthorizedSec: c.unauthorizedSec,
    cooldownForbiddenSec: c.forbiddenSec,
  };
}

/** The health policy's cooldowns from the relay section (`maxSec`, the cap on upstream hints, stays configured). */
export function cooldownPolicy(r: RelaySettings, maxSec: number): CooldownPolicy {
  return {
    rateLimitedSec: r.cooldownRateLimitedSec,
    throttledSec: r.cooldownThrottledSec,
    overloadedSec: r.cooldownOverloadedSec,
    serverErrorSec: r.cooldownServerErrorSec,
    networkSec: r.cooldownNetworkSec,
    unauthorizedSec: r.cooldownUnauthorizedSec,
    forbiddenSec: r.cooldownForbiddenSec,
    maxSec,
  };
}

/** Sticky-session timings from the relay section. */
export function stickyTimings(r: RelaySettings): { ttlMs: number; renewBelowMs: number } {
  return { ttlMs: Math.round(r.stickySessionTtlHours * 3_600_000), renewBelowMs: r.stickySessionRenewalThresholdMinutes * 60_000 };
}

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

/** Defaults given at start (from the environment) over the built-in ones. */
export type SectionDefaults = { [N in SectionName]?: Partial<SettingsSections[N]> };

export const SECTIONS: { [N in SectionName]: { shape: z.ZodRawShape; defaults: SettingsSections[N] } } = {
  relay: { shape: relaySettingsShape, defaults: RELAY_DEFAULTS },
  notifications: { shape: notificationSettingsShape, defaults: NOTIFICATION_DEFAULTS },
  retention: { shape: retentionSettingsShape, defaults: RETENTION_DEFAULTS },
};

export const SECTION_NAMES = Object.keys(SECTIONS) as SectionName[];

/** What PATCH /admin/settings/:section takes: any subset of the section's fields; null puts a field back to its default. */
export const sectionPatchSchema = (name: SectionName) =>
  z.strictObject(Object.fromEntries(Object.entries(SECTIONS[name].shape).map(([k, f]) => [k, (f as z.ZodType).nullable()]))).partial();

/** A section change: new values, or null for "back to the default". */
export type SectionPatch<N extends SectionName> = { [K in keyof SettingsSections[N]]?: SettingsSections[N][K] | null };
