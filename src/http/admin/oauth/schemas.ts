// zod schemas of the OAuth routes and of the pasted-token import.
import { z } from 'zod';
import { OAUTH_PROVIDERS } from '../../../accounts/oauth-sessions.js';
import { tokenImportKinds } from '../../../accounts/token-import.js';
import { ACCOUNT_KINDS } from '../../../providers/registry.js';
import { accountSettings } from '../accounts/schemas.js';
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
