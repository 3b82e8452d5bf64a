// The reference project's API key records (all fields strings, CRS-REFERENCE.md §4.2) as this relay's keys. The
// limit fields already carry the reference names; what differs is the value types, the binding prefixes and the
// semantics a combination had there (a window cap without a window never applied, so it is dropped), and cost
// limits, USD there, kept in nano-USD here.
import { CLIENT_IDS, DEFAULT_LIMITS, SERVICES, type ApiKey, type ApiKeyLimits } from '../../core/api-key.js';
import { usdToNanos } from '../../core/money.js';
import { limitProblems } from '../../keys/api-keys.js';
import { CRS_HASH_PREFIX } from './crypto.js';
import type { CrsApiKey } from './read.js';

const num = (v: string | undefined, d = 0): number => {
  const n = Number(v);
  return v !== undefined && v !== '' && Number.isFinite(n) && n >= 0 ? n : d;
};
const bool = (v: string | undefined): boolean => v === 'true' || v === '1';
/** ISO text or epoch ms text → epoch ms; '' / junk → null. */
export const time = (v: string | undefined): number | null => {
  if (!v) return null;
  const t = /^\d+$/.test(v) ? Number(v) : Date.parse(v);
  return Number.isFinite(t) && t > 0 ? t : null;
};
/** A JSON array, or the legacy comma-separated form. */
export function list(v: string | undefined): string[] {
  if (!v) return [];
  try {
    const j = JSON.parse(v) as unknown;
    if (Array.isArray(j)) return j.map(String).filter(Boolean);
    if (typeof j === 'string') return j ? [j] : [];
  } catch {
    // not JSON: comma-separated
  }
  return v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A binding value: an account id, `group:<id>`, or the reference's typed forms (`api:<id>`, `responses:<id>`). */
const binding = (v: string | undefined): string | null => (v ? v.replace(/^(api|responses):/, '') : null);

export interface MappedKey {
  record: ApiKey;
  warnings: string[];
}

export function mapApiKey(k: CrsApiKey, now: number): MappedKey | { skip: string } {
  const f = k.fields;
  if (!/^[0-9a-f]{64}$/i.test(f.apiKey ?? '')) return { skip: 'no key hash (apiKey field): the key cannot be recognised' };
  const warnings: string[] = [];
  const name = (f.name || `key ${k.id.slice(0, 8)}`).slice(0, 100);
  const perms = list(f.permissions).map((p) => p.toLowerCase());
  const permissions = perms.includes('all') ? [] : (perms.filter((p) => (SERVICES as readonly string[]).includes(p)) as ApiKeyLimits['permissions']);
  if (perms.length && !perms.includes('all') && permissions.length === 0) {
    // e.g. only `droid`: an empty list would mean "everything" here.
    warnings.push(`${name}: permissions ${perms.join(',')} name no service this relay serves; the key is imported disabled`);
  }
  const clients = list(f.allowedClients);
  const allowedClients = clients.filter((c) => (CLIENT_IDS as readonly string[]).includes(c)) as ApiKeyLimits['allowedClients'];
  if (clients.length > allowedClients.length)
    warnings.push(`${name}: allowed clients ${clients.filter((c) => !allowedClients.includes(c as never)).join(',')} are not recognised here and were dropped`);
  if (f.bedrockAccountId || f.azureOpenaiAccountId || f.droidAccountId)
    warnings.push(`${name}: its Bedrock/Azure/Droid binding has no counterpart here and was dropped`);

  const window = num(f.rateLimitWindow);
  const activation = f.expirationMode === 'activation' && num(f.activationDays) > 0;
  const limits: ApiKeyLimits = {
    ...DEFAULT_LIMITS,
    permissions,
    claudeAccountId: binding(f.claudeAccountId) ?? binding(f.claudeConsoleAccountId),
    openaiAccountId: binding(f.openaiAccountId),
    geminiAccountId: binding(f.geminiAccountId),
    tokenLimit: num(f.tokenLimit),
    concurrencyLimit: num(f.concurrencyLimit),
    rateLimitWindow: window,
    // Without a window the reference never applied these caps.
    rateLimitRequests: window > 0 ? num(f.rateLimitRequests) : 0,
    rateLimitCostNanos: window > 0 ? usdToNanos(num(f.rateLimitCost)) : 0,
    dailyCostLimitNanos: usdToNanos(num(f.dailyCostLimit)),
    totalCostLimitNanos: usdToNanos(num(f.totalCostLimit)),
    weeklyOpusCostLimitNanos: usdToNanos(num(f.weeklyOpusCostLimit)),
    // The reference counts every Claude-family model toward this cap.
    weeklyCostFamily: 'claude',
    weeklyResetDay: Math.min(7, Math.max(1, num(f.weeklyResetDay, 1))),
    weeklyResetHour: Math.min(23, num(f.weeklyResetHour)),
    enableModelRestriction: bool(f.enableModelRestriction),
    modelRestrictionMode: 'blacklist',
    restrictedModels: list(f.restrictedModels),
    enableClientRestriction: bool(f.enableClientRestriction) && allowedClients.length > 0,
    allowedClients,
    expirationMode: activation ? 'activation' : 'fixed',
    activationDays: activation ? num(f.activationDays) : 0,
    activationUnit: f.activationUnit === 'hours' ? 'hours' : 'days',
    activatedAt: activation && bool(f.isActivated) ? (time(f.activatedAt) ?? now) : null,
  };
  const expiresAt = activation ? null : time(f.expiresAt);
  const problems = limitProblems(limits, expiresAt);
  if (problems.length) return { skip: problems.map((p) => `${p.path} ${p.message}`).join('; ') };
  const deleted = bool(f.isDeleted);
  const record: ApiKey = {
    id: k.id,
    name,
    description: (f.description ?? '').slice(0, 500),
    tags: list(f.tags).slice(0, 50),
    // The reference's hash, marked: matched on first use, then replaced by this relay's (keys/legacy-keys.ts).
    hash: CRS_HASH_PREFIX + f.apiKey.toLowerCase(),
    // The plaintext is unknown until the holder first uses the key.
    prefix: 'cr_…',
    isActive: bool(f.isActive) && !deleted && !(perms.length > 0 && !perms.includes('all') && permissions.length === 0),
    expiresAt,
    createdAt: time(f.createdAt) ?? now,
    updatedAt: now,
    lastUsedAt: time(f.lastUsedAt),
    deletedAt: deleted ? (time(f.deletedAt) ?? now) : null,
    owner: (f.userUsername || f.owner || '').slice(0, 100),
    limits,
  };
  return { record, warnings };
}
