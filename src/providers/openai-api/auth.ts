// OpenAI API-key accounts (any OpenAI-compatible API): the key goes as `Authorization: Bearer`; the base URL is
// taken as the OpenAI SDKs take it (ending in /v1) and the relay appends /responses, /chat/completions.
import { z } from 'zod';
import { OPS, type ProviderAdapter } from '../types.js';
import { classifyOpenAIFailure } from './errors.js';
import { openaiWire, responsesTest } from './wire.js';

export const openaiApiSecrets = z.object({
  apiKey: z.string().trim().min(8, 'apiKey looks too short').max(1024),
});
export type OpenAIApiSecrets = z.infer<typeof openaiApiSecrets>;

export const openaiApiAdapter: ProviderAdapter<OpenAIApiSecrets> = {
  kind: 'openai-api',
  protocol: 'openai',
  wire: openaiWire,
  paths: { [OPS.openaiResponses]: '/responses', [OPS.openaiResponsesCompact]: '/responses/compact', [OPS.openaiChat]: '/chat/completions' },
  secretsSchema: openaiApiSecrets,
  defaultBaseUrl: (d) => d.openaiApiUrl,
  applyAuth(headers, s) {
    headers.authorization = `Bearer ${s.apiKey}`;
  },
  secretHint: (s) => `${s.apiKey.slice(0, 6)}…${s.apiKey.slice(-4)}`,
  classify: classifyOpenAIFailure,
  test: responsesTest(false),
  probe: { path: '/models', method: 'GET', defaultModel: 'gpt-5.5' },
};
