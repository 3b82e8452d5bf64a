// The text a key list search (`q`) matches against, the same for every backend.
import type { ApiKey } from '../core/api-key.js';

export function apiKeySearchText(k: ApiKey): string {
  return [k.name, k.description, k.prefix, ...k.tags].join('\n').toLowerCase();
}

export function matchesApiKeySearch(k: ApiKey, q: string): boolean {
  return apiKeySearchText(k).includes(q.toLowerCase());
}
