// GET …/models and …/models/{model}: the Gemini models a key may use, answered locally in Google's list shape.
import { modelAllowed, serviceAllowed } from '../../../accounting/limits.js';
import type { ApiKey } from '../../../core/api-key.js';
import { RelayError } from '../../../core/errors.js';
import { GEMINI_MODELS, type GeminiModelInfo } from '../../../providers/gemini-api/models.js';

const idOf = (m: GeminiModelInfo) => m.name.slice('models/'.length);

export function visibleModels(key: ApiKey): GeminiModelInfo[] {
  if (!serviceAllowed(key.limits, 'gemini')) return [];
  return GEMINI_MODELS.filter((m) => modelAllowed(key.limits, idOf(m)));
}

/** One page of the list (`pageSize`, `pageToken` = the offset as Google's opaque token). */
export function modelList(key: ApiKey, query: { pageSize?: string; pageToken?: string }) {
  const all = visibleModels(key);
  const size = Math.min(Math.max(Number(query.pageSize) || 50, 1), 1000);
  const start = Math.max(0, Number(query.pageToken) || 0);
  const models = all.slice(start, start + size);
  return start + size < all.length ? { models, nextPageToken: String(start + size) } : { models };
}

export function modelDetail(key: ApiKey, id: string): GeminiModelInfo {
  const bare = id.replace(/^models\//, '');
  const m = visibleModels(key).find((x) => idOf(x) === bare);
  if (!m) throw new RelayError('NOT_FOUND', `models/${bare} is not found for API version v1beta, or is not supported`);
  return m;
}
