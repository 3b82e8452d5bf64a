// The reference project's account records (CRS-REFERENCE.md §2) as this relay's accounts: one small reader per
// record type for its credentials (opened with that type's salt), and the settings every type shares.
import { DEFAULT_ACCOUNT_PRIORITY, type Account } from '../../core/account.js';
import { adapterFor } from '../../providers/registry.js';
import { checkProxyUrl, checkUpstreamUrl } from '../../accounts/url-policy.js';
import { CRS_SALTS, type CrsCipher } from './crypto.js';
import { list, time } from './map-keys.js';
import type { CrsAccount, CrsAccountType } from './read.js';

/** An account ready to be sealed and stored: credentials and proxy still in plain text. */
export type PlainAccount = Omit<Account, 'secrets' | 'proxy'> & { secrets: Record<string, unknown>; proxy: string | null };

type Fields = Record<string, string>;
type Open = (field: string | undefined) => string;
type Reader = { kind: string; salt: string; secrets(f: Fields, open: Open): Record<string, unknown>; baseUrl?(f: Fields): string | null };

const json = (v: string): Record<string, unknown> | null => {
  try {
    const j = JSON.parse(v) as unknown;
    return j && typeof j === 'object' && !Array.isArray(j) ? (j as Record<string, unknown>) : null;
  } catch {
    return null;
  }
};
const s = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : typeof v === 'number' ? String(v) : undefined);
const scopes = (v: unknown): string[] | undefined => {
  const l = Array.isArray(v) ? v.map(String) : typeof v === 'string' ? (v.trim().startsWith('[') ? list(v) : v.split(/\s+/).filter(Boolean)) : [];
  return l.length ? l : undefined;
};
const PLAN: Record<string, string> = { claude_max: 'max', claude_pro: 'pro', free: 'free' };

const READERS: Record<CrsAccountType, Reader> = {
  claude: {
    kind: 'anthropic-oauth',
    salt: CRS_SALTS.claude,
    secrets(f, open) {
      const blob = f.claudeAiOauth ? (json(open(f.claudeAiOauth)) ?? {}) : {};
      const sub = json(f.subscriptionInfo ?? '') ?? {};
      const ext = json(f.extInfo ?? '') ?? {};
      const refreshToken = s(blob.refreshToken) ?? (open(f.refreshToken) || null);
      const accessToken = s(blob.accessToken) ?? open(f.accessToken);
      return {
        // A record with only a refresh token (added by hand there): due at once, so the first use refreshes it.
        accessToken: accessToken || (refreshToken ? 'imported-awaiting-refresh' : ''),
        refreshToken,
        expiresAt: accessToken ? (time(s(blob.expiresAt) ?? f.expiresAt) ?? 0) : 0,
        scopes: scopes(blob.scopes ?? f.scopes),
        email: open(f.email) || undefined,
        plan: PLAN[s(sub.accountType) ?? ''] ?? s(sub.accountType),
        orgUuid: s(ext.org_uuid),
        accountUuid: s(ext.account_uuid),
      };
    },
  },
  'claude-console': {
    kind: 'anthropic-api',
    salt: CRS_SALTS.claudeConsole,
    secrets: (f, open) => ({ apiKey: open(f.apiKey) }),
    // `{apiUrl}/v1/messages`, the suffix appended when absent.
    baseUrl: (f) => (f.apiUrl ? f.apiUrl.replace(/\/v1\/messages\/?$/, '') : null),
  },
  openai: {
    kind: 'openai-oauth',
    salt: CRS_SALTS.openai,
    secrets(f, open) {
      const blob = f.openaiOauth ? (json(open(f.openaiOauth)) ?? {}) : {};
      return {
        accessToken: open(f.accessToken) || s(blob.accessToken) || s(blob.access_token) || '',
        refreshToken: open(f.refreshToken) || s(blob.refreshToken) || s(blob.refresh_token) || null,
        idToken: open(f.idToken) || s(blob.idToken) || s(blob.id_token) || null,
        expiresAt: time(f.expiresAt ?? s(blob.expiresAt)) ?? 0,
        accountId: f.accountId || f.chatgptAccountId || '',
        email: open(f.email) || undefined,
        plan: f.planType || undefined,
      };
    },
  },
  'openai-responses': {
    kind: 'openai-api',
    salt: CRS_SALTS.openaiResponses,
    secrets: (f, open) => ({ apiKey: open(f.apiKey) }),
    baseUrl: (f) => f.baseApi || null,
  },
  gemini: {
    kind: 'gemini-oauth',
    salt: CRS_SALTS.gemini,
    secrets(f, open) {
      const blob = f.geminiOauth ? (json(open(f.geminiOauth)) ?? {}) : {};
      return {
        accessToken: open(f.accessToken) || s(blob.access_token) || '',
        refreshToken: open(f.refreshToken) || s(blob.refresh_token) || null,
        expiresAt: time(f.expiresAt ?? s(blob.expiry_date)) ?? 0,
        projectId: f.projectId || f.tempProjectId || undefined,
        email: open(f.email) || undefined,
        scopes: scopes(blob.scope),
      };
    },
  },
  'gemini-api': {
    kind: 'gemini-api',
    salt: CRS_SALTS.geminiApi,
    secrets: (f, open) => ({ apiKey: open(f.apiKey) }),
    // A root, a `/models` URL or a template: only a plain root carries over.
    baseUrl: (f) => (f.baseUrl && !f.baseUrl.includes('{') ? f.baseUrl.replace(/\/(v1beta|v1)(\/models.*)?\/?$/, '') : null),
  },
};

/** `{type, host, port, username, password}` (the reference's proxy JSON) as a proxy URL. */
function proxyUrl(raw: string | undefined, open: Open): string | null {
  const p = raw ? json(open(raw)) : null;
  if (!p || !s(p.host) || !s(p.port)) return null;
  const type = s(p.type) === 'socks5' ? 'socks5' : s(p.type) === 'https' ? 'https' : 'http';
  const auth = s(p.username) ? `${encodeURIComponent(s(p.username)!)}:${encodeURIComponent(s(p.password) ?? '')}@` : '';
  const host = s(p.host)!.includes(':') ? `[${s(p.host)}]` : s(p.host);
  return `${type}://${auth}${host}:${s(p.port)}`;
}

export type MappedAccount = { account: PlainAccount; warnings: string[] } | { skip: string };

/** One account; `groupIds` are the groups whose member sets name it. */
export function mapAccount(a: CrsAccount, cipher: CrsCipher, groupIds: string[], now: number): MappedAccount {
  const f = a.fields;
  const reader = READERS[a.type];
  if (a.type === 'gemini' && f.oauthProvider === 'antigravity')
    return { skip: 'an Antigravity login: its tokens belong to another OAuth client than Gemini CLI’s' };
  const open: Open = (v) => (v ? cipher.open(v, reader.salt) : '');
  const adapter = adapterFor(reader.kind);
  const parsed = adapter.secretsSchema.safeParse(reader.secrets(f, open));
  if (!parsed.success) return { skip: `credentials: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}` };
  const warnings: string[] = [];
  const name = (f.name || `${a.type} ${a.id.slice(0, 8)}`).slice(0, 100);
  if (f.status && !['active', 'created'].includes(f.status))
    warnings.push(`${name}: its state there was "${f.status}"; here it starts healthy (the first failure sets its state again)`);
  if (Number(f.dailyQuota) > 0) warnings.push(`${name}: the daily quota ($${f.dailyQuota}) has no counterpart on accounts here; use key limits`);
  let baseUrl: string | null = null;
  const rawBase = reader.baseUrl?.(f) ?? null;
  try {
    baseUrl = rawBase ? checkUpstreamUrl(rawBase, adapter.baseUrlSuffix ?? null) : null;
  } catch (e) {
    warnings.push(`${name}: base URL ${rawBase} refused (${(e as Error).message}); the provider's default is used`);
  }
  let proxy: string | null = null;
  try {
    const p = proxyUrl(f.proxy, open);
    proxy = p ? checkProxyUrl(p) : null;
  } catch (e) {
    warnings.push(`${name}: proxy refused (${(e as Error).message}); the account connects directly`);
  }
  let supportedModels: string[] = [];
  let modelMapping: Record<string, string> = {};
  const models = f.supportedModels ? json(f.supportedModels) : null;
  if (models) {
    modelMapping = Object.fromEntries(Object.entries(models).filter(([k, v]) => typeof v === 'string' && v && v !== k)) as Record<string, string>;
    supportedModels = [...new Set(Object.values(models).filter((v): v is string => typeof v === 'string' && v !== ''))];
  } else supportedModels = list(f.supportedModels);
  const account: PlainAccount = {
    id: a.id,
    kind: reader.kind,
    name,
    description: (f.description ?? '').slice(0, 500),
    priority:
      Number.isFinite(Number(f.priority)) && f.priority !== '' && f.priority !== undefined
        ? Math.min(1000, Math.max(0, Math.round(Number(f.priority))))
        : DEFAULT_ACCOUNT_PRIORITY,
    schedulable: f.isActive !== 'false' && f.schedulable !== 'false',
    baseUrl,
    secrets: parsed.data as Record<string, unknown>,
    proxy,
    shared: f.accountType !== 'dedicated' && f.accountType !== 'group',
    groupIds,
    supportedModels,
    modelMapping,
    expiresAt: time(f.subscriptionExpiresAt),
    maxConcurrency: Math.max(0, Math.round(Number(f.maxConcurrentTasks || f.maxConcurrency || 0)) || 0),
    createdAt: time(f.createdAt) ?? now,
    updatedAt: now,
    lastUsedAt: time(f.lastUsedAt),
  };
  return { account, warnings };
}
