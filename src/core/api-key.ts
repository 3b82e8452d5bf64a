// The relay API key record. The plaintext key is never stored: only its HMAC (`hash`) and a display prefix.
import { nanosToUsd, usdToNanos } from './money.js';

export const API_KEY_PREFIX = 'cr_';
/** `cr_` followed by 64 lowercase hex characters. */
export const API_KEY_PATTERN = /^cr_[0-9a-f]{64}$/;

export interface ApiKey {
  id: string;
  name: string;
  description: string;
  tags: string[];
  /** HMAC-SHA256 of the plaintext key (hex). */
  hash: string;
  /** First characters of the key, safe to display (`cr_1a2b3c4d`). */
  prefix: string;
  isActive: boolean;
  /** Epoch ms; null = never expires. */
  expiresAt: number | null;
  createdAt: number;
  updatedAt: number;
  lastUsedAt: number | null;
  /** Soft-deleted keys keep their statistics but cannot authenticate. */
  deletedAt: number | null;
  /** Owner (free text: a person or team), for the admin list. */
  owner: string;
  /** Limits and restrictions (field names as in the reference project, so exported settings carry over). */
  limits: ApiKeyLimits;
}

/** API styles a key may call. */
export const SERVICES = ['claude', 'openai', 'gemini'] as const;
export type Service = (typeof SERVICES)[number];

/** Clients a key can be restricted to (recognised from User-Agent and request shape). */
export const CLIENT_IDS = ['claude_code', 'gemini_cli', 'codex_cli'] as const;
export type ClientId = (typeof CLIENT_IDS)[number];

/** Model families a weekly cost cap can apply to. */
export const WEEKLY_COST_FAMILIES = ['opus', 'sonnet', 'haiku', 'claude', 'all'] as const;
export type WeeklyCostFamily = (typeof WEEKLY_COST_FAMILIES)[number];

/**
 * Every limit of a key. 0 means "no limit" for every number. Money in integer nano-USD (`…Nanos`), like every
 * other amount; the admin API and the CLI show and take it in USD under the reference names (`limitsToWire`).
 */
export interface ApiKeyLimits {
  /** Services the key may call; empty = all. */
  permissions: Service[];
  /** Dedicated Claude account id, or `group:<groupId>`; null = the shared pool. */
  claudeAccountId: string | null;
  /** Dedicated OpenAI account id (openai-api / openai-oauth), or `group:<groupId>`; null = the shared pool. */
  openaiAccountId: string | null;
  /** Dedicated Gemini account id, or `group:<groupId>`; null = the shared pool. */
  geminiAccountId: string | null;
  /** When the dedicated account is unavailable, use the pool instead of refusing. */
  dedicatedFallback: boolean;
  /** Tokens per rate window (when rateLimitWindow > 0), else in total. */
  tokenLimit: number;
  /** Requests in flight at once. */
  concurrencyLimit: number;
  /**
   * At the concurrency limit, wait for a free slot (FIFO) instead of an immediate 429: true/false, or null = the
   * Settings default (reference project names).
   */
  concurrentRequestQueueEnabled: boolean | null;
  /** Requests that may wait at once; 0 = the Settings default. */
  concurrentRequestQueueMaxSize: number;
  /** Longest wait (ms) before the 429; 0 = the Settings default. */
  concurrentRequestQueueTimeoutMs: number;
  /** Fixed window length in minutes, starting at the first request. */
  rateLimitWindow: number;
  rateLimitRequests: number;
  rateLimitCostNanos: number;
  dailyCostLimitNanos: number;
  totalCostLimitNanos: number;
  /** Weekly cost cap for one model family (the family is `weeklyCostFamily`); reference name `weeklyOpusCostLimit`. */
  weeklyOpusCostLimitNanos: number;
  weeklyCostFamily: WeeklyCostFamily;
  /** 1 = Monday … 7 = Sunday, and the hour (reporting time zone) the week starts. */
  weeklyResetDay: number;
  weeklyResetHour: number;
  enableModelRestriction: boolean;
  /** `blacklist`: the listed models are refused (and hidden); `whitelist`: only they are allowed. */
  modelRestrictionMode: 'blacklist' | 'whitelist';
  restrictedModels: string[];
  enableClientRestriction: boolean;
  allowedClients: ClientId[];
  /** `fixed`: expiresAt as set; `activation`: expiry starts at the first request. */
  expirationMode: 'fixed' | 'activation';
  activationDays: number;
  activationUnit: 'hours' | 'days';
  /** Epoch ms of the first request of an activation-mode key. */
  activatedAt: number | null;
}

export const DEFAULT_LIMITS: Readonly<ApiKeyLimits> = Object.freeze({
  permissions: [],
  claudeAccountId: null,
  openaiAccountId: null,
  geminiAccountId: null,
  dedicatedFallback: false,
  tokenLimit: 0,
  concurrencyLimit: 0,
  concurrentRequestQueueEnabled: null,
  concurrentRequestQueueMaxSize: 0,
  concurrentRequestQueueTimeoutMs: 0,
  rateLimitWindow: 0,
  rateLimitRequests: 0,
  rateLimitCostNanos: 0,
  dailyCostLimitNanos: 0,
  totalCostLimitNanos: 0,
  weeklyOpusCostLimitNanos: 0,
  weeklyCostFamily: 'opus',
  weeklyResetDay: 1,
  weeklyResetHour: 0,
  enableModelRestriction: false,
  modelRestrictionMode: 'blacklist',
  restrictedModels: [],
  enableClientRestriction: false,
  allowedClients: [],
  expirationMode: 'fixed',
  activationDays: 0,
  activationUnit: 'days',
  activatedAt: null,
});

/** The cost limits' names on the wire (admin API, CLI, the reference project; USD) → their nano-USD fields here. */
export const COST_LIMIT_FIELDS = {
  rateLimitCost: 'rateLimitCostNanos',
  dailyCostLimit: 'dailyCostLimitNanos',
  totalCostLimit: 'totalCostLimitNanos',
  weeklyOpusCostLimit: 'weeklyOpusCostLimitNanos',
} as const satisfies Record<string, keyof ApiKeyLimits>;
type CostNanosField = (typeof COST_LIMIT_FIELDS)[keyof typeof COST_LIMIT_FIELDS];
const COST_WIRE_NAMES = Object.keys(COST_LIMIT_FIELDS) as (keyof typeof COST_LIMIT_FIELDS)[];
const WIRE_NAME_OF = new Map<string, string>(Object.entries(COST_LIMIT_FIELDS).map(([usd, nanos]) => [nanos, usd]));

/** The limits as the admin API and the CLI show them: cost limits in USD under the reference project's names. */
export type WireLimits = Omit<ApiKeyLimits, CostNanosField> & Record<keyof typeof COST_LIMIT_FIELDS, number>;

/** Limits for the wire: each `…Nanos` cost limit becomes USD under its reference name, in place (field order kept). */
export function limitsToWire(l: ApiKeyLimits): WireLimits {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(l)) {
    const usdName = WIRE_NAME_OF.get(name);
    if (usdName === undefined) out[name] = v;
    else out[usdName] = nanosToUsd(v as number);
  }
  return out as WireLimits;
}

/**
 * Limits from the wire (admin API and CLI input; records stored before limits were kept in nano-USD, which used
 * the wire's names and units): each USD cost limit becomes its `…Nanos` field, unless that field is there already.
 */
export function limitsFromWire<T extends object>(l: T): Omit<T, keyof typeof COST_LIMIT_FIELDS> & Partial<Pick<ApiKeyLimits, CostNanosField>> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(l)) {
    const nanosName = (COST_LIMIT_FIELDS as Record<string, string>)[name];
    if (nanosName === undefined) out[name] = v;
    else if (!(nanosName in l)) out[nanosName] = usdToNanos(Number(v) || 0);
  }
  return out as never;
}

/** Fills fields that records written by older versions lack, and converts their USD cost limits to nano-USD. */
export function withKeyDefaults(k: ApiKey): ApiKey {
  if (k.limits && k.owner !== undefined && !COST_WIRE_NAMES.some((n) => n in k.limits)) return k;
  return { ...k, owner: k.owner ?? '', limits: { ...DEFAULT_LIMITS, ...limitsFromWire(k.limits ?? {}) } };
}

/** True when any limit needs the store at request time (counters or leases). */
export function needsAdmission(l: ApiKeyLimits): boolean {
  return (
    l.concurrencyLimit > 0 ||
    l.rateLimitWindow > 0 ||
    l.tokenLimit > 0 ||
    l.dailyCostLimitNanos > 0 ||
    l.totalCostLimitNanos > 0 ||
    l.weeklyOpusCostLimitNanos > 0
  );
}

/** The part of a key record the admin API may change. */
export type ApiKeyPatch = Partial<Pick<ApiKey, 'name' | 'description' | 'tags' | 'isActive' | 'expiresAt' | 'owner'>> & {
  limits?: Partial<ApiKeyLimits>;
};

export function keyDisplayPrefix(plaintext: string): string {
  return plaintext.slice(0, 11);
}
