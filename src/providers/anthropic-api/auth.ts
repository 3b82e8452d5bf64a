// Anthropic API-key ("Console") accounts: the key goes in x-api-key; keys of Anthropic-compatible vendors that
// do not look like Anthropic keys go as a bearer token (the reference project's rule, which its users rely on).
import { z } from 'zod';
import type { ProviderAdapter } from '../types.js';
import { classifyAnthropicFailure } from './errors.js';
import { anthropicProbe, anthropicTest, anthropicWire, PATHS } from './wire.js';

export const anthropicApiSecrets = z.object({
  apiKey: z.string().trim().min(8, 'apiKey looks too short').max(1024),
});
export type AnthropicApiSecrets = z.infer<typeof anthropicApiSecrets>;

export const anthropicApiAdapter: ProviderAdapter<AnthropicApiSecrets> = {
  kind: 'anthropic-api',
  protocol: 'anthropic',
  wire: anthropicWire,
  paths: PATHS,
  baseUrlSuffix: '/v1',
  test: anthropicTest,
  probe: anthropicProbe,
  secretsSchema: anthropicApiSecrets,
  defaultBaseUrl: (d) => d.anthropicApiUrl,
  applyAuth(headers, s) {
    if (s.apiKey.startsWith('sk-ant-')) headers['x-api-key'] = s.apiKey;
    else headers.authorization = `Bearer ${s.apiKey}`;
  },
  secretHint: (s) => `${s.apiKey.slice(0, 7)}…${s.apiKey.slice(-4)}`,
  classify: classifyAnthropicFailure,
};
