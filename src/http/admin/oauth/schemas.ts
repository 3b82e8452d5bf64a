// zod schemas of the OAuth routes and of the pasted-token import, and their answers.
import { z } from 'zod';
import { OAUTH_PROVIDERS } from '../../../accounts/oauth-sessions.js';
import { tokenImportKinds } from '../../../accounts/token-import.js';
import { ACCOUNT_KINDS } from '../../../providers/registry.js';
import { isoTime, usageWindowView } from '../answers.js';
import { accountIdentityView, accountSettings, accountView } from '../accounts/schemas.js';
import { timeInput } from '../inputs.js';

export const sessionCreateSchema = z.strictObject({
  provider: z.enum(OAUTH_PROVIDERS),
  /** Only the browser authorisation-code flow exists for now. */
  flavor: z.enum(['oauth']).optional(),
  /** The proxy the token exchange goes through (and the account's default proxy). */
  proxy: z.string().trim().max(2048).nullable().optional(),
});

export const exchangeSchema = z
  .strictObject({
    /** What the callback page shows (`code#state`), or the whole callback URL. */
    code: z.string().trim().min(1).max(4096).optional(),
    callbackUrl: z.string().trim().min(1).max(4096).optional(),
  })
  .refine((b) => b.code !== undefined || b.callbackUrl !== undefined, { message: 'code or callbackUrl is required', path: ['code'] });

export const reauthorizeSchema = z.strictObject({ oauthSessionId: z.string().min(1).max(100) });

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

// ---- Answers ----

/** A started authorisation: the session, the URL the operator opens, when the session expires, the provider's terms. */
export const oauthSessionView = z.object({ sessionId: z.string(), authUrl: z.string(), expiresAt: isoTime, terms: z.string().nullable() });

/** Who signed in (an exchanged session, before the account is created), and a note the operator must read. */
export const oauthIdentityView = z.object({
  email: z.string().optional(),
  org: z.string().optional(),
  plan: z.string().optional(),
  scopes: z.array(z.string()),
  tokenExpiresAt: isoTime,
  note: z.string().optional(),
});

/** `{ identity }`: an exchanged session's, or the one a re-authorised account took. */
export const oauthIdentityAnswerView = z.object({ identity: oauthIdentityView });

/** A refreshed token's expiry (null when the credentials carry none). */
export const tokenRefreshView = z.object({ refreshed: z.literal(true), tokenExpiresAt: isoTime.nullable() });

/** The usage windows the provider reported now. */
export const windowsView = z.object({ windows: z.array(usageWindowView) });

/** An account added or updated from a pasted token: the account, who the token belongs to, its kind and expiry. */
export const tokenImportView = z.object({
  account: accountView,
  identity: accountIdentityView.nullable(),
  source: z.enum(['setup-token', 'token-pair']),
  tokenExpiresAt: isoTime,
});
