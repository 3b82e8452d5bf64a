// Account kinds as the admin meta lists them, grouped by provider (the protocol each speaks), and the OAuth provider
// id a subscription kind signs in with (POST /admin/oauth/sessions {provider}).
import type { BodyOf, Meta } from '../api/types';

export type KindInfo = Meta['accountKinds'][number];

/** Providers in the order the pages show them; a protocol not listed here comes after them. */
export const PROVIDERS = ['anthropic', 'openai', 'gemini'];

export function kindsByProvider(kinds: readonly KindInfo[]): { provider: string; kinds: KindInfo[] }[] {
  const order = (p: string) => (PROVIDERS.includes(p) ? PROVIDERS.indexOf(p) : PROVIDERS.length);
  const providers = [...new Set(kinds.map((k) => k.protocol))].sort((a, b) => order(a) - order(b));
  return providers.map((provider) => ({ provider, kinds: kinds.filter((k) => k.protocol === provider) }));
}

/** What POST /admin/oauth/sessions takes, and its provider ids. */
export type OAuthStart = BodyOf<'/admin/oauth/sessions', 'post'>;
export type OAuthProvider = OAuthStart['provider'];

const OAUTH_PROVIDERS: Record<string, OAuthProvider> = { anthropic: 'claude', openai: 'openai', gemini: 'gemini' };

/** The OAuth provider of a subscription kind (Anthropic's is called 'claude'), or null for a protocol without one. */
export function oauthProviderOf(k: Pick<KindInfo, 'protocol'>): OAuthProvider | null {
  return OAUTH_PROVIDERS[k.protocol] ?? null;
}

/** The key service whose requests a provider's accounts serve (key permissions and bindings are per service). */
export function serviceOf(protocol: string): 'claude' | 'openai' | 'gemini' | null {
  return protocol === 'anthropic' ? 'claude' : protocol === 'openai' || protocol === 'gemini' ? protocol : null;
}
