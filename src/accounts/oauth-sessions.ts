// Subscription OAuth authorisations in progress, kept in the store (sealed, ~10 minutes) rather than in process
// memory, so any relay instance can finish what another started: start (PKCE + authorise URL) → exchange the
// pasted code for tokens → take the tokens once to create or re-authorise an account.
import type { AccountKind } from '../core/account.js';
import type { Clock } from '../core/clock.js';
import { RelayError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import type { Logger } from '../platform/logger.js';
import type { Secrets } from '../platform/secrets.js';
import { newPkce, parsePastedCode } from '../providers/oauth-token.js';
import { OAUTH_PROVIDERS, oauthKind } from '../providers/registry.js';
import type { ProviderDefaults } from '../providers/types.js';
import type { OAuthSessionRepo } from '../store/types.js';
import { checkProxyUrl } from './url-policy.js';

export { OAUTH_PROVIDERS };
/** An OAuth provider id ('claude', 'openai', …) of the registry. */
export type OAuthProvider = string;

function flowOf(provider: string) {
  const f = oauthKind(provider);
  if (!f) throw new RelayError('VALIDATION_FAILED', `provider: unknown OAuth provider ${provider}`);
  return f;
}

export const DEFAULT_SESSION_TTL_MS = 10 * 60_000;

/** Who signed in, as the admin API shows it before the account is created. */
export interface OAuthIdentity {
  email?: string;
  org?: string;
  plan?: string;
  scopes: string[];
  tokenExpiresAt: string;
  /** Something the operator must know before creating the account (e.g. a project id to enter). */
  note?: string;
}

interface SessionRecord {
  id: string;
  provider: OAuthProvider;
  verifier: string;
  state: string;
  /** Plain inside the sealed record. */
  proxy: string | null;
  createdAt: number;
  expiresAt: number;
  exchanged?: { secrets: Record<string, unknown>; identity: OAuthIdentity };
}

/** The tokens of an exchanged session, handed out once. */
export interface TakenSession {
  kind: AccountKind;
  secrets: Record<string, unknown>;
  proxy: string | null;
  identity: OAuthIdentity;
  /** Puts the session back (when creating the account failed after taking it). */
  restore(): Promise<void>;
}

export interface OAuthSessionsDeps {
  sessions: OAuthSessionRepo;
  secrets: Secrets;
  clock: Clock;
  log: Logger;
  defaults: ProviderDefaults;
  /** fetch through a proxy (null = direct). */
  fetchFor(proxyUrl: string | null): typeof fetch;
  ttlMs?: number;
}

export class OAuthSessions {
  private readonly ttlMs: number;

  constructor(private readonly deps: OAuthSessionsDeps) {
    this.ttlMs = deps.ttlMs ?? DEFAULT_SESSION_TTL_MS;
  }

  /** Starts an authorisation: PKCE material stays in the store, the operator gets the URL to open. */
  async start(input: { provider: OAuthProvider; proxy?: string | null }) {
    const now = this.deps.clock.now();
    const flow = flowOf(input.provider);
    const pkce = newPkce();
    const rec: SessionRecord = {
      id: newId(),
      provider: input.provider,
      verifier: pkce.verifier,
      state: pkce.state,
      proxy: input.proxy ? checkProxyUrl(input.proxy) : null,
      createdAt: now,
      expiresAt: now + this.ttlMs,
    };
    await this.write(rec, null);
    return {
      sessionId: rec.id,
      authUrl: flow.flow.authorizeUrl(this.deps.defaults, pkce),
      expiresAt: new Date(rec.expiresAt).toISOString(),
      terms: flow.terms,
    };
  }

  /**
   * Exchanges what the operator pasted (`code#state`, a bare code or the callback URL) for tokens, kept sealed in
   * the session until an account takes them. A session already exchanged answers with the same identity.
   */
  async exchange(id: string, pasted: string): Promise<OAuthIdentity> {
    const parsed = parsePastedCode(pasted);
    if (!parsed) {
      throw new RelayError('VALIDATION_FAILED', 'code: paste the code shown after signing in (code#state) or the full callback URL', {
        details: [{ path: 'code', message: 'not an authorisation code' }],
      });
    }
    const { rec, raw } = await this.read(id);
    if (rec.exchanged) return rec.exchanged.identity;
    if (parsed.state && parsed.state !== rec.state) {
      throw new RelayError('OAUTH_INVALID_GRANT', 'This code belongs to another authorisation: open this session’s link and paste the code it shows');
    }
    const f = this.deps.fetchFor(rec.proxy);
    const now = this.deps.clock.now();
    const { secrets, identity: who } = await flowOf(rec.provider).flow.exchange(
      this.deps.defaults,
      { code: parsed.code, state: rec.state, verifier: rec.verifier },
      { fetch: f, now, viaProxy: rec.proxy !== null },
    );
    const identity: OAuthIdentity = {
      ...(who.email ? { email: who.email } : {}),
      ...(who.org ? { org: who.org } : {}),
      ...(who.plan ? { plan: who.plan } : {}),
      scopes: who.scopes,
      tokenExpiresAt: new Date(who.expiresAt).toISOString(),
      ...(who.note ? { note: who.note } : {}),
    };
    // A fresh lease on life: the operator now fills in the account form.
    await this.write({ ...rec, exchanged: { secrets: secrets as Record<string, unknown>, identity }, expiresAt: now + this.ttlMs }, raw);
    return identity;
  }

  /** Hands out an exchanged session's tokens exactly once (across instances) for an account of `kind`. */
  async take(id: string, kind: AccountKind): Promise<TakenSession> {
    const { rec, raw } = await this.read(id);
    if (oauthKind(rec.provider)?.kind !== kind) {
      throw new RelayError('VALIDATION_FAILED', `oauthSessionId: this session signs in to ${rec.provider}, not a ${kind} account`);
    }
    if (!rec.exchanged) throw new RelayError('VALIDATION_FAILED', 'oauthSessionId: exchange the code of this session first');
    if (!(await this.deps.sessions.take(id, raw))) throw new RelayError('OAUTH_SESSION_EXPIRED');
    return {
      kind,
      secrets: { ...rec.exchanged.secrets },
      proxy: rec.proxy,
      identity: rec.exchanged.identity,
      restore: async () => {
        const left = rec.expiresAt - this.deps.clock.now();
        if (left > 0) await this.deps.sessions.put(id, raw, left);
      },
    };
  }

  private async read(id: string): Promise<{ rec: SessionRecord; raw: string }> {
    const raw = /^[A-Za-z0-9-]{1,64}$/.test(id) ? await this.deps.sessions.get(id) : null;
    if (!raw) throw new RelayError('OAUTH_SESSION_EXPIRED');
    let rec: SessionRecord;
    try {
      rec = JSON.parse(this.deps.secrets.open(raw)) as SessionRecord;
    } catch {
      throw new RelayError('OAUTH_SESSION_EXPIRED'); // sealed under another ENCRYPTION_KEY
    }
    if (rec.expiresAt <= this.deps.clock.now()) throw new RelayError('OAUTH_SESSION_EXPIRED');
    return { rec, raw };
  }

  /** Writes the session; when `prev` is given, only if nobody replaced or took it meanwhile. */
  private async write(rec: SessionRecord, prev: string | null): Promise<void> {
    const sealed = this.deps.secrets.seal(JSON.stringify(rec));
    const ttl = Math.max(1, rec.expiresAt - this.deps.clock.now());
    if (prev === null) await this.deps.sessions.put(rec.id, sealed, ttl);
    else if (!(await this.deps.sessions.replace(rec.id, prev, sealed, ttl))) throw new RelayError('OAUTH_SESSION_EXPIRED');
  }
}
