// The subscription account's profile and usage endpoints (PROTOCOLS 3.2). Both need the `user:profile` scope.
import { RelayError } from '../../core/errors.js';
import type { ClaudeOAuthEndpoints, UsageWindow } from '../types.js';
import { parseUsageResponse } from './windows.js';

export const PROFILE_SCOPE = 'user:profile';

export interface Profile {
  email?: string;
  org?: string;
  orgUuid?: string;
  accountUuid?: string;
  /** 'max' | 'pro' | 'team' | 'enterprise' | the provider's own label. */
  plan?: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v ? v : undefined);

/** The plan label from the profile's organisation type and flags. */
export function planOf(account: Record<string, unknown>, org: Record<string, unknown>): string | undefined {
  const type = str(org.organization_type);
  if (type) return type.replace(/^claude_/, '');
  if (account.has_claude_max === true) return 'max';
  if (account.has_claude_pro === true) return 'pro';
  return undefined;
}

/** The `error.message` of an Anthropic error body, or '' (the text is the provider's, shown to the operator). */
function errorMessage(text: string): string {
  try {
    const m = (JSON.parse(text) as { error?: { message?: unknown } })?.error?.message;
    return typeof m === 'string' ? m.slice(0, 300) : '';
  } catch {
    return '';
  }
}

async function getJson(url: string, headers: Record<string, string>, f: typeof fetch, timeoutMs: number): Promise<unknown> {
  let res: Response;
  try {
    res = await f(url, { headers: { accept: 'application/json', 'user-agent': 'claude-relay-service', ...headers }, signal: AbortSignal.timeout(timeoutMs) });
  } catch (e) {
    throw new RelayError('UPSTREAM_UNREACHABLE', `${url} is unreachable (${(e as Error).message})`, { cause: e });
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    const message = errorMessage(text);
    throw new RelayError('OAUTH_INVALID_GRANT', `The provider refused the token (HTTP ${res.status}${message ? `: ${message}` : ''})`, {
      details: { status: res.status, message },
    });
  }
  if (!res.ok) throw new RelayError('UPSTREAM_BAD_RESPONSE', `${new URL(url).pathname} answered HTTP ${res.status}`, { details: { status: res.status } });
  try {
    return JSON.parse(text);
  } catch {
    throw new RelayError('OAUTH_ENDPOINT_CHANGED', `${new URL(url).pathname} did not answer JSON`);
  }
}

/** GET the profile (no beta header, as the provider's own clients do). */
export async function fetchProfile(cfg: ClaudeOAuthEndpoints, accessToken: string, f: typeof fetch, timeoutMs = 15_000): Promise<Profile> {
  const j = (await getJson(cfg.profileUrl, { authorization: `Bearer ${accessToken}` }, f, timeoutMs)) as Record<string, unknown>;
  const account = (j?.account ?? {}) as Record<string, unknown>;
  const org = (j?.organization ?? {}) as Record<string, unknown>;
  return {
    email: str(account.email) ?? str(account.email_address),
    org: str(org.name),
    orgUuid: str(org.uuid),
    accountUuid: str(account.uuid),
    plan: planOf(account, org),
  };
}

/** GET the usage windows now (utilization 0–100 on this endpoint, 0–1 in the result). */
export async function fetchUsage(cfg: ClaudeOAuthEndpoints, accessToken: string, f: typeof fetch, timeoutMs = 15_000): Promise<UsageWindow[]> {
  const j = await getJson(cfg.usageUrl, { authorization: `Bearer ${accessToken}`, 'anthropic-beta': 'oauth-2025-04-20' }, f, timeoutMs);
  return parseUsageResponse(j);
}
