// Account kind → provider adapter: the one list of kinds. A new kind is a folder under providers/ and one line here.
import { anthropicApiAdapter } from './anthropic-api/auth.js';
import { anthropicOAuthAdapter } from './anthropic-oauth/auth.js';
import { openaiApiAdapter } from './openai-api/auth.js';
import { openaiOAuthAdapter } from './openai-oauth/auth.js';
import { geminiApiAdapter } from './gemini-api/auth.js';
import { geminiOAuthAdapter } from './gemini-oauth/auth.js';
import type { OAuthFlow, ProviderAdapter } from './types.js';

const ADAPTERS: readonly ProviderAdapter[] = [
  anthropicApiAdapter,
  anthropicOAuthAdapter,
  openaiApiAdapter,
  openaiOAuthAdapter,
  geminiApiAdapter,
  geminiOAuthAdapter,
];

const BY_KIND = new Map(ADAPTERS.map((a) => [a.kind, a]));

/** Every account kind this build relays through. */
export const ACCOUNT_KINDS = ADAPTERS.map((a) => a.kind) as [string, ...string[]];

/** The adapter of a kind; throws for a kind this build does not know (e.g. a record from a newer version). */
export function adapterFor(kind: string): ProviderAdapter {
  const a = BY_KIND.get(kind);
  if (!a) throw new Error(`unknown account kind: ${kind}`);
  return a;
}

/** OAuth providers operators can sign in with, and the kind each creates. */
export const OAUTH_PROVIDERS = ADAPTERS.filter((a) => a.oauth).map((a) => a.oauth!.provider) as [string, ...string[]];

export function oauthKind(provider: string): { kind: string; flow: OAuthFlow; terms: string | null } | null {
  const a = ADAPTERS.find((x) => x.oauth?.provider === provider);
  return a ? { kind: a.kind, flow: a.oauth!, terms: a.terms ?? null } : null;
}
