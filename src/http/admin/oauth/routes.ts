// Subscription OAuth in the admin API: start an authorisation, exchange the pasted code, and the OAuth actions
// on an account (refresh its token, fetch its usage windows now, re-authorise it). Accounts are created from an
// exchanged session by POST /admin/accounts with `oauthSessionId` (see createFromSession).
import type { Account } from '../../../core/account.js';
import { RelayError } from '../../../core/errors.js';
import type { AccountPool, PoolAccount } from '../../../accounts/pool.js';
import type { AccountService, NewAccountInput } from '../../../accounts/accounts.js';
import type { Credentials } from '../../../accounts/credentials.js';
import type { OAuthSessions } from '../../../accounts/oauth-sessions.js';
import { windowView, type UsageWindows } from '../../../accounts/health/usage-windows.js';
import { idParams, routeBuilder } from '../route.js';
import { exchangeSchema, oauthIdentityAnswerView, oauthSessionView, reauthorizeSchema, sessionCreateSchema, tokenRefreshView, windowsView } from './schemas.js';

export interface OAuthRouteDeps {
  accounts: AccountService;
  pool: AccountPool;
  credentials: Credentials;
  windows: UsageWindows;
  oauthSessions: OAuthSessions;
}

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

const route = routeBuilder<OAuthRouteDeps>();
const tag = 'oauth';

export const oauthRoutes = [
  route(
    {
      method: 'POST',
      created: true,
      path: '/oauth/sessions',
      tag,
      summary: 'Start a subscription authorisation: `{sessionId, authUrl, expiresAt, terms}`; the session lives ~10 min in the store',
      body: sessionCreateSchema,
      response: oauthSessionView,
    },
    async ({ body, reply }, deps) => reply.code(201).send(await deps.oauthSessions.start({ provider: body.provider, proxy: body.proxy })),
  ),
  route(
    {
      method: 'POST',
      path: '/oauth/sessions/:id/exchange',
      tag,
      summary:
        'Exchange the pasted `code#state` (or callback URL) for tokens kept sealed in the session: `{identity:{email?, org?, plan?, scopes, tokenExpiresAt}}`',
      params: idParams,
      body: exchangeSchema,
      response: oauthIdentityAnswerView,
      responses: {
        '400': 'OAUTH_INVALID_GRANT or VALIDATION_FAILED',
        '410': 'OAUTH_SESSION_EXPIRED',
        '502': 'OAUTH_ENDPOINT_CHANGED, OAUTH_PROXY_UNREACHABLE, OAUTH_CLOUDFLARE_BLOCKED',
      },
    },
    async ({ params, body }, deps) => {
      // The schema's refine guarantees one of the two.
      const identity = await deps.oauthSessions.exchange(params.id, body.code ?? body.callbackUrl ?? '');
      return { identity };
    },
  ),
  // Refreshes the access token now (under the same store lock as the relay's own refreshes).
  route(
    {
      method: 'POST',
      path: '/accounts/:id/refresh-token',
      tag,
      summary: 'Refresh the account’s OAuth token now: `{refreshed, tokenExpiresAt}`',
      params: idParams,
      response: tokenRefreshView,
    },
    async ({ params }, deps) => {
      const entry = await entryOf(deps.pool, deps.accounts, params.id);
      const secrets = (await deps.credentials.forceRefresh(entry)) as { expiresAt?: unknown };
      return { refreshed: true, tokenExpiresAt: typeof secrets.expiresAt === 'number' ? new Date(secrets.expiresAt).toISOString() : null };
    },
  ),
  // Asks the provider for the usage windows now instead of waiting for the next relayed response.
  route(
    {
      method: 'POST',
      path: '/accounts/:id/refresh-windows',
      tag,
      summary: 'Fetch the 5h/7d usage windows from the provider now: `{windows}`',
      params: idParams,
      response: windowsView,
    },
    async ({ params }, deps) => {
      const entry = await entryOf(deps.pool, deps.accounts, params.id);
      const fetchWindows = entry.adapter.fetchWindows;
      if (!fetchWindows) throw new RelayError('BAD_REQUEST', 'This account kind reports no usage windows');
      const secrets = await deps.credentials.current(entry);
      const saved = await deps.windows.save(entry.account.id, await fetchWindows(secrets, deps.credentials.context(entry)));
      return { windows: saved.map(windowView) };
    },
  ),
  // Swaps the account's credentials for those of a newly exchanged session (same account, settings kept).
  route(
    {
      method: 'POST',
      path: '/accounts/:id/reauthorize',
      tag,
      summary: 'Swap the account’s credentials for an exchanged session’s: `{identity}`',
      params: idParams,
      body: reauthorizeSchema,
      response: oauthIdentityAnswerView,
    },
    async ({ params: { id }, body }, deps) => {
      const cur = await deps.accounts.get(id);
      const taken = await deps.oauthSessions.take(body.oauthSessionId, cur.kind);
      try {
        await deps.accounts.update(id, { secrets: taken.secrets });
      } catch (e) {
        await taken.restore();
        throw e;
      }
      await deps.windows.clear(id);
      return { identity: taken.identity };
    },
  ),
];
