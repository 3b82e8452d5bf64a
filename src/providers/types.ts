// What every upstream kind provides. The registry maps an account kind to its adapter; nothing else
// switches on account kind.
import type { z } from 'zod';
import type { AccountKind } from '../core/account.js';

export interface ProviderDefaults {
  anthropicApiUrl: string;
}

export interface ProviderAdapter<S extends Record<string, string> = Record<string, string>> {
  readonly kind: AccountKind;
  /** The wire protocol the upstream speaks. */
  readonly protocol: 'anthropic';
  /** Credential fields of the admin create payload (validated, then sealed). */
  readonly secretsSchema: z.ZodType<S>;
  defaultBaseUrl(defaults: ProviderDefaults): string;
  /** Headers that authenticate a request to the upstream. */
  authHeaders(secrets: S): Record<string, string>;
  /** A safe hint of the credential for the admin UI (never enough to use it). */
  secretHint(secrets: S): string;
}
