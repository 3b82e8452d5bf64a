// Subscription OAuth in the admin API: start an authorisation, exchange the pasted code, and the OAuth actions
// on an account (refresh its token, fetch its usage windows now, re-authorise it). Accounts are created from an
// exchanged session by POST /admin/accounts with `oauthSessionId` (see createFromSession).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Account } from '../../core/account.js';
import { RelayError } from '../../core/errors.js';
import type { AccountPool, PoolAccount } from '../../accounts/pool.js';
import type { AccountService, NewAccountInput } from '../../accounts/accounts.js';
import type { Credentials } from '../../accounts/credentials.js';
import { OAUTH_PROVIDERS, type OAuthSessions } from '../../accounts/oauth-sessions.js';
import { windowView, type AccountWindows } from '../../accounts/health/usage-windows.js';
import type { RouteDoc } from './route-docs.js';
import { parseInput } from './validate.js';

export interface OAuthRouteDeps {
  accounts: AccountService;
  pool: AccountPool;
  credentials: Credentials;
  windows: AccountWindows;
  oauthSessions: OAuthSessions;
}

const sessionCreateSchema = z.strictObject({
  provider: z.enum(OAUTH_PROVIDERS),
  /** Only the browser authorisation-code flow exists for now. */
  flavor: z.enum(['oauth']).optional(),
  /** The proxy the token exchange goes through (and the account's default proxy). */
  proxy: z.string().trim().max(2048).nullable().optional(),
});

const exchangeSchema = z
  .strictObject({
    /** What the callback page shows (`code#state`), or the whole callback URL. */
    code: z.string().trim().min(1).max(4096).optional(),
    callbackUrl: z.string().trim().min(1).max(4096).optional(),
  })
  .refine((b) => b.code !== undefined || b.callbackUrl !== undefined, { message: 'code or callbackUrl is required', path: ['code'] });

const reauthorizeSchema = z.strictObject({ oauthSessionId: z.string().min(1).max(100) });

export const oauthDocs: RouteDoc[] = [
  {
    method: 'POST',
    path: '/admin/oauth/sessions',
    tag: 'oauth',
    summary: 'Start a subscription authorisation: `{sessionId, authUrl, expiresAt, terms}`; the session lives ~10 min in the store',
    body: sessionCreateSchema,
  },
  {
    method: 'POST',
    path: '/admin/oauth/sessions/{id}/exchange',
    tag: 'oauth',
    summary:
      'Exchange the pasted `code#state` (or callback URL) for tokens kept sealed in the session: `{identity:{email?, org?, plan?, scopes, tokenExpiresAt}}`',
    body: exchangeSchema,
    responses: {
      '400': 'OAUTH_INVALID_GRANT or VALIDATION_FAILED',
      '410': 'OAUTH_SESSION_EXPIRED',
      '502': 'OAUTH_ENDPOINT_CHANGED, OAUTH_PROXY_UNREACHABLE, OAUTH_CLOUDFLARE_BLOCKED',
    },
  },
  { method: 'POST', path: '/admin/accounts/{id}/refresh-token', tag: 'oauth', summary: 'Refresh the account’s OAuth token now: `{refreshed, tokenExpiresAt}`' },
  { method: 'POST', path: '/admin/accounts/{id}/refresh-windows', tag: 'oauth', summary: 'Fetch the 5h/7d usage windows from the provider now: `{windows}`' },
  {
    method: 'POST',
    path: '/admin/accounts/{id}/reauthorize',
    tag: 'oauth',
    summary: 'Swap the account’s credentials for an exchanged session’s: `{identity}`',
    body: reauthorizeSchema,
  },
];

type SettingsInput = Omit<NewAccountInput, 'secrets'>;

/**
 * Creates an account from an exchanged session's tokens (plus credential fields the operator entered, e.g. a
 * projectId); the session is used up (or put back if creating fails).
 */
export async function createFromSession(
  deps: Pick<OAuthRouteDeps, 'accounts' | 'oauthSessions'>,
  input: SettingsInput,
  sessionId: string,
  extra: Record<string, unknown> = {},
): Promise<Account> {
  const taken = await deps.oauthSessions.take(sessionId, input.kind);
  try {
    return await deps.accounts.create({ ...input, proxy: input.proxy !== undefined ? input.proxy : taken.proxy, secrets: { ...taken.secrets, ...extra } });
  } catch (e) {
    await taken.restore();
    throw e;
  }
}

/** The pool's entry of an account, loading it when the pool has not caught up with a fresh change yet. */
async function entryOf(pool: AccountPool, accounts: AccountService, id: string): Promise<PoolAccount> {
  await accounts.get(id); // 404 for unknown ids
  let entry = pool.get(id);
  if (!entry) {
    await pool.reload();
    entry = pool.get(id);
  }
  if (!entry) throw new RelayError('CONFLICT', 'The account credentials cannot be read (sealed with another ENCRYPTION_KEY?)');
  return entry;
}

export function oauthRoutes(app: FastifyInstance, deps: OAuthRouteDeps): void {
  const { accounts, pool, credentials, windows, oauthSessions } = deps;

  app.post('/oauth/sessions', async (request, reply) => {
    const body = parseInput(sessionCreateSchema, request.body);
    return reply.code(201).send(await oauthSessions.start({ provider: body.provider, proxy: body.proxy }));
  });

  app.post('/oauth/sessions/:id/exchange', async (request) => {
    const body = parseInput(exchangeSchema, request.body);
    const identity = await oauthSessions.exchange((request.params as { id: string }).id, (body.code ?? body.callbackUrl)!);
    return { identity };
  });

  // Refreshes the access token now (under the same store lock as the relay's own refreshes).
  app.post('/accounts/:id/refresh-token', async (request) => {
    const entry = await entryOf(pool, accounts, (request.params as { id: string }).id);
    const secrets = (await credentials.forceRefresh(entry)) as { expiresAt?: unknown };
    return { refreshed: true, tokenExpiresAt: typeof secrets.expiresAt === 'number' ? new Date(secrets.expiresAt).toISOString() : null };
  });

  // Asks the provider for the usage windows now instead of waiting for the next relayed response.
  app.post('/accounts/:id/refresh-windows', async (request) => {
    const entry = await entryOf(pool, accounts, (request.params as { id: string }).id);
    const fetchWindows = entry.adapter.fetchWindows;
    if (!fetchWindows) throw new RelayError('BAD_REQUEST', 'This account kind reports no usage windows');
    const secrets = await credentials.current(entry);
    const saved = await windows.save(entry.account.id, await fetchWindows(secrets, credentials.context(entry)));
    return { windows: saved.map(windowView) };
  });

  // Swaps the account's credentials for those of a newly exchanged session (same account, settings kept).
  app.post('/accounts/:id/reauthorize', async (request) => {
    const id = (request.params as { id: string }).id;
    const { oauthSessionId } = parseInput(reauthorizeSchema, request.body);
    const cur = await accounts.get(id);
    const taken = await oauthSessions.take(oauthSessionId, cur.kind);
    try {
      await accounts.update(id, { secrets: taken.secrets });
    } catch (e) {
      await taken.restore();
      throw e;
    }
    await windows.clear(id);
    return { identity: taken.identity };
  });
}
