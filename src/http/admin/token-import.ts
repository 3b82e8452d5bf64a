// Subscription accounts from pasted tokens (a `claude setup-token` token, or an access + refresh pair): checked with
// the provider before anything is saved. The browser authorisation flow is in oauth.ts.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Account } from '../../core/account.js';
import { ACCOUNT_KINDS } from '../../providers/registry.js';
import type { AccountService } from '../../accounts/accounts.js';
import type { TokenImport } from '../../accounts/token-import.js';
import { tokenImportKinds } from '../../accounts/token-import.js';
import type { RouteDoc } from './route-docs.js';
import { accountSettings, timeInput } from './schemas.js';
import { parseInput } from './validate.js';

const KINDS = tokenImportKinds(ACCOUNT_KINDS) as [string, ...string[]];

const tokenFields = {
  /** The access token (`sk-ant-oat01-…`): what `claude setup-token` prints, or `accessToken` of a credentials file. */
  accessToken: z.string().trim().min(8, 'looks too short').max(8192),
  /** The refresh token (`sk-ant-ort01-…`) of a pair; absent/null for a setup token (it cannot be refreshed). */
  refreshToken: z.string().trim().min(8, 'looks too short').max(8192).nullable().optional(),
  /**
   * When the access token expires (ISO 8601 or epoch ms; epoch seconds are recognised). Unknown: a setup token is
   * taken to last a year, a pair's access token an hour (then it is refreshed).
   */
  expiresAt: timeInput.nullable().optional(),
  scopes: z.array(z.string().trim().min(1).max(100)).max(20).optional(),
};

export const tokenImportSchema = z.strictObject({
  kind: z.enum(KINDS).default(KINDS[0]),
  ...accountSettings,
  ...tokenFields,
});

export const tokenReplaceSchema = z.strictObject(tokenFields);

const RESULT = '`{account, identity:{email?, org?, plan?}|null, source:"setup-token"|"token-pair", tokenExpiresAt}`';
const REFUSALS = {
  '400':
    'OAUTH_INVALID_GRANT (the provider refused the token: its HTTP status and message) or VALIDATION_FAILED (e.g. an API key or a refresh token pasted as the access token)',
  '502': 'UPSTREAM_UNREACHABLE (the provider could not be reached, through the proxy if one is set) or UPSTREAM_BAD_RESPONSE',
};

export const tokenImportDocs: RouteDoc[] = [
  {
    method: 'POST',
    path: '/admin/accounts/import-token',
    tag: 'accounts',
    summary: `Add a subscription account from a pasted token: a \`claude setup-token\` token (no refresh token) or an access + refresh pair; the provider is asked first (through \`proxy\`). 201 ${RESULT}`,
    body: tokenImportSchema,
    responses: REFUSALS,
  },
  {
    method: 'POST',
    path: '/admin/accounts/{id}/import-token',
    tag: 'accounts',
    summary: `Replace a subscription account's token with a pasted one (checked first; settings kept): ${RESULT}`,
    body: tokenReplaceSchema,
    responses: REFUSALS,
  },
];

export function tokenImportRoutes(app: FastifyInstance, deps: { tokenImport: TokenImport; accounts: AccountService }): void {
  const view = (a: Account) => deps.accounts.view(a);

  app.post('/accounts/import-token', async (request, reply) => {
    const { accessToken, refreshToken, expiresAt, scopes, ...settings } = parseInput(tokenImportSchema, request.body);
    const r = await deps.tokenImport.create({ ...settings, tokens: { accessToken, refreshToken, expiresAt, scopes } });
    request.log.info({ accountId: r.account.id, source: r.source }, 'subscription account added from a pasted token');
    return reply.code(201).send({ account: view(r.account), identity: r.identity, source: r.source, tokenExpiresAt: r.tokenExpiresAt });
  });

  app.post('/accounts/:id/import-token', async (request) => {
    const tokens = parseInput(tokenReplaceSchema, request.body);
    const r = await deps.tokenImport.replace((request.params as { id: string }).id, tokens);
    request.log.info({ accountId: r.account.id, source: r.source }, 'subscription account token replaced');
    return { account: view(r.account), identity: r.identity, source: r.source, tokenExpiresAt: r.tokenExpiresAt };
  });
}
