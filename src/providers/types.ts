// What every upstream kind provides. The registry maps an account kind to its adapter; nothing else
// switches on account kind.
import type { z } from 'zod';
import type { AccountKind } from '../core/account.js';
import type { FailureClass, UpstreamFailure } from '../scheduling/failure.js';

export interface ProviderDefaults {
  anthropicApiUrl: string;
}

/** What a credential refresh may use (HTTP goes through the account's proxy). */
export interface RefreshContext {
  now: number;
  /** fetch bound to the account's dispatcher (proxy). */
  fetch: typeof fetch;
}

export interface ProviderAdapter<S = unknown> {
  readonly kind: AccountKind;
  /** The wire protocol the upstream speaks. */
  readonly protocol: 'anthropic';
  /** Credential fields (validated on create, sealed at rest, parsed again when loaded). */
  readonly secretsSchema: z.ZodType<S>;
  defaultBaseUrl(defaults: ProviderDefaults): string;
  /** Puts the account's credentials on an outgoing request's headers (auth header, required beta flags). */
  applyAuth(headers: Record<string, string>, secrets: S): void;
  /** A safe hint of the credential for the admin UI (never enough to use it). */
  secretHint(secrets: S): string;
  /** Credentials that expire (OAuth): when a refresh is due, and how to do it. Absent for static keys. */
  readonly refresh?: {
    due(secrets: S, now: number): boolean;
    run(secrets: S, ctx: RefreshContext): Promise<S>;
  };
  /** Turns a failed upstream answer into a failure class; the health policy decides what that means. */
  classify(failure: UpstreamFailure): FailureClass;
}
