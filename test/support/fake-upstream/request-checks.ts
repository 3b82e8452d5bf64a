// Authentication and body validation of the fake upstream (PROTOCOLS 1.1 and 1.2).
import type { Credential } from './headers.js';

export type AuthResult = { ok: true; credential: Credential } | { ok: false; message: string };

const OAUTH_BETA = 'oauth-2025-04-20';

const isApiKey = (key: string, apiKeys: readonly string[] | null): boolean =>
  apiKeys ? apiKeys.includes(key) : key.startsWith('sk-ant-') && !key.startsWith('sk-ant-oat');

/**
 * x-api-key wins when present. Accepted API keys: the configured list, else any `sk-ant-` key that is not
 * an OAuth token. A bearer token starting with `sk-ant-oat` is OAuth: it needs the `oauth-2025-04-20` beta
 * and must be in the list, else start with `sk-ant-oat01-`. Any other bearer token is an API key sent the
 * way @anthropic-ai/sdk >= 1.x sends `apiKey` (`Authorization: Bearer <key>`), checked like x-api-key.
 */
export function authenticate(headers: Record<string, string>, apiKeys: readonly string[] | null): AuthResult {
  const apiKey = headers['x-api-key'];
  if (apiKey !== undefined) {
    return isApiKey(apiKey, apiKeys) ? { ok: true, credential: { kind: 'api_key', value: apiKey } } : { ok: false, message: 'invalid x-api-key' };
  }
  const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1]?.trim();
  if (bearer === undefined) return { ok: false, message: 'x-api-key header is required' };
  if (!bearer.startsWith('sk-ant-oat')) {
    return isApiKey(bearer, apiKeys) ? { ok: true, credential: { kind: 'api_key', value: bearer } } : { ok: false, message: 'invalid x-api-key' };
  }
  const betas = (headers['anthropic-beta'] ?? '').split(',').map((s) => s.trim());
  if (!betas.includes(OAUTH_BETA)) return { ok: false, message: 'OAuth authentication is currently not supported.' };
  const ok = apiKeys ? apiKeys.includes(bearer) : bearer.startsWith('sk-ant-oat01-');
  return ok ? { ok, credential: { kind: 'oauth', value: bearer } } : { ok: false, message: 'Invalid bearer token' };
}

const isObject = (v: unknown): v is Record<string, any> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Blocks that may carry cache_control: system blocks, message content blocks, tools. */
function cacheControlCount(body: Record<string, any>): number {
  const blocks: unknown[] = [
    ...(Array.isArray(body.system) ? body.system : []),
    ...(Array.isArray(body.tools) ? body.tools : []),
    ...(Array.isArray(body.messages) ? body.messages : []).flatMap((m: any) => (Array.isArray(m?.content) ? m.content : [])),
  ];
  return blocks.filter((b) => isObject(b) && isObject(b.cache_control)).length;
}

function hasEmptyTextBlock(body: Record<string, any>): boolean {
  const blocks: unknown[] = [
    ...(Array.isArray(body.system) ? body.system : []),
    ...body.messages.flatMap((m: any) => (Array.isArray(m?.content) ? m.content : [])),
  ];
  return blocks.some((b) => isObject(b) && b.type === 'text' && b.text === '');
}

/**
 * Returns the 400 `invalid_request_error` message for a Messages (or count_tokens) body, or null when
 * valid. `strict` adds the documented cross-field rules of PROTOCOLS 1.2 (thinking budget, empty text
 * blocks, more than 4 cache_control blocks).
 */
export function validateBody(body: unknown, endpoint: 'messages' | 'count_tokens', strict: boolean): string | null {
  if (!isObject(body)) return 'Request body must be a JSON object.';
  if (body.model === undefined) return 'model: Field required';
  if (typeof body.model !== 'string') return 'model: Input should be a valid string';
  if (endpoint === 'messages') {
    if (body.max_tokens === undefined) return 'max_tokens: Field required';
    if (!Number.isInteger(body.max_tokens)) return 'max_tokens: Input should be a valid integer';
    if (body.max_tokens < 1) return 'max_tokens: Input should be greater than or equal to 1';
  }
  if (body.messages === undefined) return 'messages: Field required';
  if (!Array.isArray(body.messages)) return 'messages: Input should be a valid list';
  if (!strict) return null;
  if (body.messages.length === 0) return 'messages: at least one message is required';
  for (const [i, m] of body.messages.entries()) {
    if (!isObject(m) || typeof m.role !== 'string') return `messages.${i}.role: Field required`;
    if (typeof m.content !== 'string' && !Array.isArray(m.content)) return `messages.${i}.content: Field required`;
  }
  if (hasEmptyTextBlock(body)) return 'messages: text content blocks must be non-empty';
  const cc = cacheControlCount(body);
  if (cc > 4) return `A maximum of 4 blocks with cache_control may be provided. Found ${cc}.`;
  const thinking = body.thinking;
  if (isObject(thinking) && thinking.type === 'enabled') {
    const budget = thinking.budget_tokens;
    if (!Number.isInteger(budget)) return 'thinking.enabled.budget_tokens: Field required';
    if (budget < 1024) return 'thinking.enabled.budget_tokens: Input should be greater than or equal to 1024';
    if (endpoint === 'messages' && budget >= body.max_tokens) {
      return '`max_tokens` must be greater than `thinking.budget_tokens`.';
    }
  }
  return null;
}
