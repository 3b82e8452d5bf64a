// What every upstream kind provides. The registry maps an account kind to its adapter; nothing else
// switches on account kind, and the relay core names no provider: it asks the adapter for paths, headers,
// the usage tap, the failure class and the account test.
import type { IncomingHttpHeaders } from 'node:http';
import type { z } from 'zod';
import type { Usage } from '../core/usage.js';
import type { SseEvent } from '../platform/sse.js';
import type { FailureClass, UpstreamFailure } from '../scheduling/failure.js';
import type { ClaudeOAuthEndpoints, GoogleOAuthEndpoints, OAuthEndpoints } from '../core/oauth-endpoints.js';

export type { ClaudeOAuthEndpoints, GoogleOAuthEndpoints, OAuthEndpoints } from '../core/oauth-endpoints.js';

export interface ProviderDefaults {
  anthropicApiUrl: string;
  claudeOAuth: ClaudeOAuthEndpoints;
  /** OpenAI API root as the OpenAI SDKs take it (ending in /v1). */
  openaiApiUrl: string;
  /** The ChatGPT backend's Codex root (`…/backend-api/codex`) for subscription accounts. */
  codexApiUrl: string;
  openaiOAuth: OAuthEndpoints;
  /** Gemini Developer API root (no version), for gemini-api accounts without their own base URL. */
  geminiApiUrl: string;
  /** Code Assist root (`/v1internal:*` lives under it), for gemini-oauth accounts. */
  codeAssistApiUrl: string;
  geminiOAuth: GoogleOAuthEndpoints;
}

/**
 * An upstream operation the relay can ask for. Each surface names the operations it sends; an adapter lists
 * the ones its upstream serves (with their paths), and only those accounts are candidates.
 */
export type Operation = string;

/** Upstream operations of the protocols built so far (a new surface adds its own). */
export const OPS = {
  anthropicMessages: 'anthropic.messages',
  anthropicCountTokens: 'anthropic.count_tokens',
  openaiResponses: 'openai.responses',
  openaiResponsesCompact: 'openai.responses_compact',
  openaiChat: 'openai.chat',
  /** Gemini `models/{model}:generateContent` (the model travels in the path). */
  geminiGenerate: 'gemini.generate_content',
  geminiStream: 'gemini.stream_generate_content',
  geminiCountTokens: 'gemini.count_tokens',
  /** Gemini CLI's Code Assist methods (`/v1internal:<method>`), passed through as the client sent them. */
  codeAssistGenerate: 'code_assist.generate_content',
  codeAssistStream: 'code_assist.stream_generate_content',
  codeAssistCountTokens: 'code_assist.count_tokens',
  codeAssistLoad: 'code_assist.load_code_assist',
  codeAssistOnboard: 'code_assist.onboard_user',
} as const;

/** One subscription usage window (PROTOCOLS 1.8.3, 3.3): how much of it is used and when it resets. */
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

/** What verifying pasted credentials may use: a refresh context plus the API root the account will call. */
export interface VerifyContext extends RefreshContext {
  /** The account's API root (its custom base URL, or the kind's default). */
  baseUrl: string;
}

/** What a tap learned from a response. */
export interface TapResult {
  usage: Usage | null;
  /** The model the upstream says it used. */
  model: string | null;
  /** The stream reached its proper end / the JSON body was a complete answer. */
  complete: boolean;
  /** An error the upstream sent inside a 200 (stream error event, error JSON). */
  errorType: string | null;
}

/** Reads usage from the upstream's bytes as they pass (never changes them). */
export interface UsageTap {
  push(chunk: Uint8Array): void;
  /**
   * SSE taps: one event of the answer, parsed by a converter that reads the same bytes (AnswerConverter.shareEvents);
   * when the relay uses it, the tap gets every event this way and no bytes.
   */
  event?(ev: SseEvent): void;
  finish(): TapResult;
}

/** A 200 stream whose first bytes are an error (nothing useful sent yet): classified like an HTTP failure. */
export interface StreamStartError {
  status: number;
  body: unknown;
}

/** How a protocol looks on the wire; shared by the account kinds that speak it. */
export interface Wire {
  /** Client headers allowed upstream (the account's auth is applied after); never the client's key. */
  requestHeaders(client: IncomingHttpHeaders): Record<string, string>;
  /** Upstream response headers allowed back to the client. */
  responseHeaders(upstream: Record<string, string | string[] | undefined>): Record<string, string | string[]>;
  /** A usage tap for an answer of `op` (SSE or JSON). */
  tap(op: Operation, sse: boolean): UsageTap;
  /** Looks at the first chunk of a 200 SSE answer; non-null when it is an error (then the relay may fail over). */
  streamStartError?(first: Buffer): StreamStartError | null;
}

/** Rewrites a successful answer as it streams: bytes in, text out; `end` returns the last bytes. */
export interface AnswerRewriter {
  /** Content-Type of what the rewriter writes. */
  readonly contentType: string;
  push(chunk: Buffer): string;
  end(): string;
}

/**
 * How a kind carries an operation whose standard body its upstream takes only inside an envelope (e.g. with the
 * account's project): the relay wraps the body it would send and unwraps the successful answer, so surfaces and
 * translators only ever see the operation's standard wire.
 */
export interface Envelope<S = unknown> {
  /** The upstream body for the operation's standard body; `model` is the upstream model (after mapping). */
  wrap(json: Record<string, unknown>, ctx: { model: string; secrets: S }): Record<string, unknown>;
  /** Turns the upstream's successful answer back into the standard answer; absent or null = as it came. */
  unwrap?(sse: boolean): AnswerRewriter | null;
}

/** A one-shot request that proves an account works (the admin's "test" button). */
export interface AccountTest {
  defaultModel: string;
  op: Operation;
  body(model: string, prompt: string): Record<string, unknown>;
  /** The reply's text and model from the upstream's answer body (JSON or SSE, as `body()` asked). */
  read(body: string): { text: string | null; model: string | null; error: string | null };
}

/** A subscription OAuth flow (authorization code + PKCE), for kinds that have one. */
export interface OAuthFlow<S = unknown> {
  /** The id operators pick in the admin API (`POST /admin/oauth/sessions {provider}`). */
  readonly provider: string;
  authorizeUrl(defaults: ProviderDefaults, pkce: { challenge: string; state: string }): string;
  /** Exchanges the pasted code; returns the credentials and who they belong to. */
  exchange(
    defaults: ProviderDefaults,
    grant: { code: string; state: string; verifier: string },
    ctx: { fetch: typeof fetch; now: number; viaProxy: boolean },
  ): Promise<{ secrets: S; identity: { email?: string; org?: string; plan?: string; scopes: string[]; expiresAt: number; note?: string } }>;
}

export interface ProviderAdapter<S = unknown> {
  readonly kind: string;
  /** The API family the upstream speaks ('anthropic', 'openai', …): a label for the admin UI. */
  readonly protocol: string;
  readonly wire: Wire;
  /**
   * Operations this kind serves → path after the account's base URL. `{model}` stands for the upstream model
   * (after the account's mapping) in protocols that name it in the path; the body's `model` is then left alone.
   */
  readonly paths: Readonly<Partial<Record<Operation, string>>>;
  /** Operations this kind carries inside an envelope (see {@link Envelope}); absent = bodies go as they are. */
  readonly envelopes?: Readonly<Partial<Record<Operation, Envelope<S>>>>;
  /** Credential fields (validated on create, sealed at rest, parsed again when loaded). */
  readonly secretsSchema: z.ZodType<S>;
  defaultBaseUrl(defaults: ProviderDefaults): string;
  /** A version suffix operators often paste that the paths already carry (Anthropic: '/v1'); removed from base URLs. */
  readonly baseUrlSuffix?: string;
  /** Puts the account's credentials on an outgoing request's headers (auth header, required flags). */
  applyAuth(headers: Record<string, string>, secrets: S): void;
  /** A safe hint of the credential for the admin UI (never enough to use it). */
  secretHint(secrets: S): string;
  /** Credentials that expire (OAuth): when a refresh is due, and how to do it. Absent for static keys. */
  readonly refresh?: {
    due(secrets: S, now: number): boolean;
    run(secrets: S, ctx: RefreshContext): Promise<S>;
  };
  /** The authorisation flow that creates accounts of this kind (OAuth kinds). */
  readonly oauth?: OAuthFlow<S>;
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
  /**
   * Checks pasted credentials with the provider before an account is saved (a cheap authenticated call through the
   * account's proxy); resolves with the credentials (completed, e.g. with who they belong to) or throws a RelayError
   * saying why the provider refused them. Absent = the kind cannot take pasted tokens.
   */
  verify?(secrets: S, ctx: VerifyContext): Promise<{ secrets: S; identity: { email?: string; org?: string; plan?: string } | null }>;
  /** The admin's account test. */
  readonly test: AccountTest;
  /** A cheap request whose 2xx proves a cooling account answers again (the active probe); absent = no probe. */
  readonly probe?: { path: string; method: 'GET' | 'POST'; body?: (model: string) => Record<string, unknown>; defaultModel: string };
}
