// Gemini API-key accounts (Gemini Developer API, or a compatible gateway): the key goes as `x-goog-api-key`; the
// model travels in the path (`/v1beta/models/{model}:generateContent`).
import { z } from 'zod';
import { OPS, type ProviderAdapter } from '../types.js';
import { classifyGeminiFailure } from './errors.js';
import { geminiTest, geminiWire } from './wire.js';

export const geminiApiSecrets = z.object({
  apiKey: z.string().trim().min(8, 'apiKey looks too short').max(1024),
});
export type GeminiApiSecrets = z.infer<typeof geminiApiSecrets>;

export const geminiApiAdapter: ProviderAdapter<GeminiApiSecrets> = {
  kind: 'gemini-api',
  protocol: 'gemini',
  wire: geminiWire,
  paths: {
    [OPS.geminiGenerate]: '/v1beta/models/{model}:generateContent',
    [OPS.geminiStream]: '/v1beta/models/{model}:streamGenerateContent',
    [OPS.geminiCountTokens]: '/v1beta/models/{model}:countTokens',
  },
  secretsSchema: geminiApiSecrets,
  defaultBaseUrl: (d) => d.geminiApiUrl,
  applyAuth(headers, s) {
    headers['x-goog-api-key'] = s.apiKey;
  },
  secretHint: (s) => `${s.apiKey.slice(0, 6)}…${s.apiKey.slice(-4)}`,
  classify: classifyGeminiFailure,
  test: geminiTest,
  probe: { path: '/v1beta/models?pageSize=1', method: 'GET', defaultModel: 'gemini-2.5-flash' },
};
