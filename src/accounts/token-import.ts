// Subscription accounts from pasted tokens instead of the browser authorisation: a long-lived token made by
// `claude setup-token` (no refresh token), or an access + refresh token pair taken from another installation. The
// provider is asked before anything is saved (through the account's proxy), so a mistyped or revoked token is
// refused with the provider's reason instead of becoming an account that fails every request.
import type { Account, AccountKind } from '../core/account.js';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { adapterFor } from '../providers/registry.js';
import type { Secrets } from '../platform/secrets.js';
import type { ProviderDefaults } from '../providers/types.js';
import type { AccountService, AccountSettingsInput } from './accounts.js';
import { checkProxyUrl, checkUpstreamUrl } from './url-policy.js';

/** A long-lived token's expiry when none is given: `claude setup-token` tokens last a year. */
export const SETUP_TOKEN_LIFETIME_MS = 365 * 86_400_000;
/** An imported pair without a known expiry is treated as valid this long (the relay then refreshes it). */
export const UNKNOWN_EXPIRY_MS = 3_600_000;

export interface PastedTokens {
  accessToken: string;
  /** Absent or null: a long-lived token that cannot be refreshed (setup token). */
  refreshToken?: string | null;
  /** Epoch ms (epoch seconds are recognised); absent = unknown. */
  expiresAt?: number | null;
  scopes?: string[];
}

export interface TokenImportDeps {
  accounts: AccountService;
  defaults: ProviderDefaults;
  /** Opens an existing account's sealed proxy (the check goes the way the account's requests go). */
  secrets: Secrets;
  clock: Clock;
  /** fetch through a proxy (null = direct). */
  fetchFor(proxyUrl: string | null): typeof fetch;
}

export interface ImportedAccount {
  account: Account;
  identity: { email?: string; org?: string; plan?: string } | null;
  /** 'setup-token' (no refresh token) or 'token-pair'. */
  source: 'setup-token' | 'token-pair';
  tokenExpiresAt: string;
}

/** Kinds whose adapters can check pasted tokens. */
export function tokenImportKinds(kinds: readonly string[]): string[] {
  return kinds.filter((k) => adapterFor(k).verify !== undefined);
}

/** Catches the pastes that are not what the form asks for, with what to do instead. */
function checkShape(t: PastedTokens): void {
  const bad = (path: string, message: string) => new RelayError('VALIDATION_FAILED', `${path}: ${message}`, { details: [{ path, message }] });
  if (/^sk-ant-api/.test(t.accessToken)) throw bad('accessToken', 'this is an API key (sk-ant-api…): add it as an anthropic-api account instead');
  if (/^sk-ant-ort/.test(t.accessToken))
    throw bad('accessToken', 'this is a refresh token (sk-ant-ort…): paste it as refreshToken, with the access token (sk-ant-oat…)');
  if (/\s/.test(t.accessToken)) throw bad('accessToken', 'contains spaces or line breaks: paste the token alone');
  if (t.refreshToken && /^sk-ant-oat/.test(t.refreshToken))
    throw bad('refreshToken', 'this is an access token (sk-ant-oat…), not a refresh token (sk-ant-ort…)');
}

export class TokenImport {
  constructor(private readonly deps: TokenImportDeps) {}

  /** The credentials the pasted tokens make, before verification. */
  private secretsOf(t: PastedTokens): Record<string, unknown> {
    checkShape(t);
    const now = this.deps.clock.now();
    const refreshToken = t.refreshToken || null;
    let expiresAt = t.expiresAt ?? null;
    // 10-digit numbers are epoch seconds (a token file may carry either).
    if (expiresAt !== null && expiresAt < 100_000_000_000) expiresAt *= 1000;
    if (expiresAt === null) expiresAt = now + (refreshToken ? UNKNOWN_EXPIRY_MS : SETUP_TOKEN_LIFETIME_MS);
    if (!refreshToken && expiresAt <= now) {
      throw new RelayError('VALIDATION_FAILED', 'expiresAt: the token has expired and there is no refresh token to renew it; make a new one', {
        details: [{ path: 'expiresAt', message: 'is in the past' }],
      });
    }
    return { accessToken: t.accessToken, refreshToken, expiresAt, ...(t.scopes?.length ? { scopes: t.scopes } : {}) };
  }

  /** Asks the provider (through `proxy`) whether the tokens work; returns the completed credentials. */
  async verify(kind: AccountKind, t: PastedTokens, settings: { baseUrl?: string | null; proxy?: string | null }) {
    const adapter = adapterFor(kind);
    if (!adapter.verify) throw new RelayError('VALIDATION_FAILED', `kind: ${kind} accounts cannot be added from pasted tokens`);
    const parsed = adapter.secretsSchema.safeParse(this.secretsOf(t));
    if (!parsed.success) {
      throw new RelayError('VALIDATION_FAILED', 'Invalid token', { details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
    }
    const proxy = settings.proxy ? checkProxyUrl(settings.proxy) : null;
    const baseUrl = settings.baseUrl ? checkUpstreamUrl(settings.baseUrl, adapter.baseUrlSuffix ?? null) : adapter.defaultBaseUrl(this.deps.defaults);
    const now = this.deps.clock.now();
    const r = await adapter.verify(parsed.data, { now, fetch: this.deps.fetchFor(proxy), viaProxy: proxy !== null, defaults: this.deps.defaults, baseUrl });
    const secrets = r.secrets as { refreshToken?: string | null; expiresAt?: number };
    return {
      secrets: r.secrets as Record<string, unknown>,
      identity: r.identity,
      source: secrets.refreshToken ? ('token-pair' as const) : ('setup-token' as const),
      tokenExpiresAt: new Date(secrets.expiresAt ?? now).toISOString(),
    };
  }

  /** Verifies the tokens, then creates the account. */
  async create(input: AccountSettingsInput & { kind: AccountKind; name: string } & { tokens: PastedTokens }): Promise<ImportedAccount> {
    const { tokens, ...settings } = input;
    const v = await this.verify(input.kind, tokens, settings);
    const account = await this.deps.accounts.create({ ...settings, secrets: v.secrets });
    return { account, identity: v.identity, source: v.source, tokenExpiresAt: v.tokenExpiresAt };
  }

  /** Verifies the tokens, then puts them on an existing account (its settings stay). */
  async replace(id: string, tokens: PastedTokens): Promise<ImportedAccount> {
    const cur = await this.deps.accounts.get(id);
    const proxy = cur.proxy ? this.deps.secrets.open(cur.proxy) : null;
    const v = await this.verify(cur.kind, tokens, { baseUrl: cur.baseUrl, proxy });
    const account = await this.deps.accounts.update(id, { secrets: v.secrets });
    return { account, identity: v.identity, source: v.source, tokenExpiresAt: v.tokenExpiresAt };
  }
}
