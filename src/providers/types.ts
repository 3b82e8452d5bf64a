// What every upstream kind provides. The registry maps an account kind to its adapter; nothing else
// switches on account kind.
import type { z } from 'zod';
import type { AccountKind } from '../core/account.js';
import type { FailureClass, UpstreamFailure } from '../scheduling/failure.js';

/** Endpoints and client registration of the Claude subscription OAuth flow (PROTOCOLS 3.1, 3.2). */
export interface ClaudeOAuthEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  redirectUri: string;
  /** Space-separated scopes asked for at authorisation. */
  scopes: string;
  usageUrl: string;
  profileUrl: string;
}

export interface ProviderDefaults {
  anthropicApiUrl: string;
  claudeOAuth: ClaudeOAuthEndpoints;
}

/** One subscription usage window (PROTOCOLS 1.8.3): how much of it is used and when it resets. */
export interface UsageWindow {
  id: '5h' | '7d' | '7d_opus' | '7d_sonnet';
  /** Share used, 0–1 (the upstream may report slightly above 1 once a window is exhausted). */
  utilization: number;
  /** Epoch ms of the window's reset, or null when the upstream did not say. */
  resetsAt: number | null;
  status: 'allowed' | 'warning' | 'rejected';
}

/** What a response told about the account's subscription windows. */
export interface AccountObservation {
  windows: UsageWindow[];
  /** The overall verdict for the request, when the upstream sent one. */
  status: UsageWindow['status'] | null;
  /** The binding window (`anthropic-ratelimit-unified-representative-claim`, mapped to a window id when known). */
  representativeClaim: string | null;
  /** Epoch ms when the binding window resets. */
  resetsAt: number | null;
}

/** What a credential refresh may use (HTTP goes through the account's proxy). */
export interface RefreshContext {
  now: number;
  /** fetch bound to the account's dispatcher (proxy). */
  fetch: typeof fetch;
  /** True when `fetch` goes through a proxy (its failures are then reported as the proxy's). */
  viaProxy?: boolean;
  /** Endpoints of the configuration (token URLs, client ids). */
  defaults: ProviderDefaults;
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
  /** Reads account state the upstream reports on every response (subscription windows); null when absent. */
  observe?(headers: Record<string, string | string[] | undefined>, now: number): AccountObservation | null;
  /** Fetches the subscription windows now (an operator's refresh), for kinds that have them. */
  fetchWindows?(secrets: S, ctx: RefreshContext): Promise<UsageWindow[]>;
  /** Who the credentials belong to (shown by the admin API), when the kind knows. */
  identity?(secrets: S): { email?: string; org?: string; plan?: string } | null;
  /** The provider's terms for this kind of account, stated plainly for the admin UI (English; the UI translates). */
  readonly terms?: string;
}
