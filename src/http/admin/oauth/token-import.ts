// Subscription accounts from pasted tokens (a `claude setup-token` token, or an access + refresh pair): checked with
// the provider before anything is saved. The browser authorisation flow is in routes.ts.
import type { Account } from '../../../core/account.js';
import type { AccountService } from '../../../accounts/accounts.js';
import type { TokenImport } from '../../../accounts/token-import.js';
import { idParams, routeBuilder } from '../route.js';
import { tokenImportSchema, tokenImportView, tokenReplaceSchema } from './schemas.js';

interface Deps {
  tokenImport: TokenImport;
  accounts: AccountService;
}

const RESULT = '`{account, identity:{email?, org?, plan?}|null, source:"setup-token"|"token-pair", tokenExpiresAt}`';
const REFUSALS = {
  '400':
    'OAUTH_INVALID_GRANT (the provider refused the token: its HTTP status and message) or VALIDATION_FAILED (e.g. an API key or a refresh token pasted as the access token)',
  '502': 'UPSTREAM_UNREACHABLE (the provider could not be reached, through the proxy if one is set) or UPSTREAM_BAD_RESPONSE',
};

const route = routeBuilder<Deps>();
const view = (deps: Deps, a: Account) => deps.accounts.view(a);

export const tokenImportRoutes = [
  route(
    {
      method: 'POST',
      created: true,
      path: '/accounts/import-token',
      tag: 'accounts',
      summary: `Add a subscription account from a pasted token: a \`claude setup-token\` token (no refresh token) or an access + refresh pair; the provider is asked first (through \`proxy\`). 201 ${RESULT}`,
      body: tokenImportSchema,
      response: tokenImportView,
      responses: REFUSALS,
    },
    async ({ body, request, reply }, deps) => {
      const { accessToken, refreshToken, expiresAt, scopes, ...settings } = body;
      const r = await deps.tokenImport.create({ ...settings, tokens: { accessToken, refreshToken, expiresAt, scopes } });
      request.log.info({ accountId: r.account.id, source: r.source }, 'subscription account added from a pasted token');
      return reply.code(201).send({ account: view(deps, r.account), identity: r.identity, source: r.source, tokenExpiresAt: r.tokenExpiresAt });
    },
  ),
  route(
    {
      method: 'POST',
      path: '/accounts/:id/import-token',
      tag: 'accounts',
      summary: `Replace a subscription account's token with a pasted one (checked first; settings kept): ${RESULT}`,
      params: idParams,
      body: tokenReplaceSchema,
      response: tokenImportView,
      responses: REFUSALS,
    },
    async ({ params, body, request }, deps) => {
      const r = await deps.tokenImport.replace(params.id, body);
      request.log.info({ accountId: r.account.id, source: r.source }, 'subscription account token replaced');
      return { account: view(deps, r.account), identity: r.identity, source: r.source, tokenExpiresAt: r.tokenExpiresAt };
    },
  ),
];
