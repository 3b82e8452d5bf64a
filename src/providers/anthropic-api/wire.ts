// The Anthropic Messages wire, shared by API-key and subscription accounts: header allow-lists, usage taps,
// a stream that opens with an error, and the account test.
import { tryParseJson } from '../../platform/json-fields.js';
import { OPS, type AccountTest, type Wire } from '../types.js';
import { clientResponseHeaders, upstreamRequestHeaders } from './request.js';
import { AnthropicJsonTap, AnthropicStreamTap } from './usage.js';

/** HTTP status an Anthropic stream error type stands for (a 200 whose first event is an error). */
const STATUS_OF_STREAM_ERROR: Record<string, number> = { overloaded_error: 529, rate_limit_error: 429, api_error: 500 };

export const anthropicWire: Wire = {
  requestHeaders: upstreamRequestHeaders,
  responseHeaders: clientResponseHeaders,
  tap: (_op, sse) => (sse ? new AnthropicStreamTap() : new AnthropicJsonTap()),
  streamStartError(first) {
    if (first.length < 12 || first.toString('latin1', 0, 12) !== 'event: error') return null;
    const data = /\ndata: (.*)/.exec(first.toString('utf8'))?.[1];
    const parsed = tryParseJson(data ?? '') as { error?: { type?: string; message?: string } } | undefined;
    const type = parsed?.error?.type ?? 'api_error';
    return { status: STATUS_OF_STREAM_ERROR[type] ?? 500, body: { type: 'error', error: { type, message: parsed?.error?.message ?? 'stream error' } } };
  },
};

export const PATHS = { [OPS.anthropicMessages]: '/v1/messages', [OPS.anthropicCountTokens]: '/v1/messages/count_tokens' };

export const anthropicTest: AccountTest = {
  defaultModel: 'claude-haiku-4-5',
  op: OPS.anthropicMessages,
  body: (model, prompt) => ({ model, max_tokens: 32, messages: [{ role: 'user', content: prompt }] }),
  read(body) {
    const j = tryParseJson(body) as { content?: { type: string; text?: string }[]; error?: { message?: string }; model?: string } | undefined;
    return {
      text: j?.content
        ? j.content
            .filter((c) => c.type === 'text')
            .map((c) => c.text ?? '')
            .join('')
        : null,
      model: j?.model ?? null,
      error: j?.error?.message ?? null,
    };
  },
};

export const anthropicProbe = {
  path: '/v1/messages/count_tokens',
  method: 'POST' as const,
  defaultModel: 'claude-haiku-4-5',
  body: (model: string) => ({ model, messages: [{ role: 'user', content: 'ping' }] }),
};
