// The OpenAI wire (Responses and Chat Completions), shared by API-key and ChatGPT (Codex) accounts: header
// allow-lists, usage taps, a stream that opens with an error, and the account test.
import { SseParser } from '../../platform/sse.js';
import { OPS, type AccountTest, type StreamStartError, type Wire } from '../types.js';
import { openaiRequestHeaders, openaiResponseHeaders } from './request.js';
import { ChatStreamTap, chatUsage, OpenAIJsonTap, responsesUsage, ResponsesStreamTap } from './usage.js';

/** HTTP status a stream error code stands for (a 200 whose first events are a failure). */
function statusOfCode(code: string): number {
  if (/rate_limit|usage_limit|insufficient_quota/.test(code)) return 429;
  if (/server_error|overloaded/.test(code)) return 500;
  if (code === '') return 500;
  return 400;
}

/**
 * A stream whose first chunk fails before any output (Responses `response.failed`/`error`, Chat `data: {"error"}`):
 * the failure as an HTTP answer would have carried it.
 */
function streamStartError(first: Buffer): StreamStartError | null {
  const text = first.toString('utf8');
  if (!/response\.failed|"error"|event: error/.test(text) || /response\.output_item|"delta"/.test(text)) return null;
  for (const ev of new SseParser().push(text)) {
    let j: Record<string, unknown>;
    try {
      j = JSON.parse(ev.data) as Record<string, unknown>;
    } catch {
      continue;
    }
    const type = String(j.type ?? ev.event);
    const err =
      type === 'response.failed'
        ? ((j.response as { error?: Record<string, unknown> } | undefined)?.error ?? {})
        : type === 'error'
          ? j
          : j.error && typeof j.error === 'object'
            ? (j.error as Record<string, unknown>)
            : null;
    if (!err) continue;
    const code = String(err.code ?? err.type ?? '');
    return { status: statusOfCode(code), body: { error: { ...err, type: err.type ?? code, code: err.code ?? code } } };
  }
  return null;
}

const isResponses = (op: string) => op === OPS.openaiResponses || op === OPS.openaiResponsesCompact;

export const openaiWire: Wire = {
  requestHeaders: openaiRequestHeaders,
  responseHeaders: openaiResponseHeaders,
  tap(op, sse) {
    if (isResponses(op)) return sse ? new ResponsesStreamTap() : new OpenAIJsonTap(responsesUsage);
    return sse ? new ChatStreamTap() : new OpenAIJsonTap(chatUsage);
  },
  streamStartError,
};

/** The reply text of a Responses answer: JSON, or the `response.output_text.delta`s of a stream. */
function responsesText(body: string): { text: string | null; model: string | null; error: string | null } {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      const j = JSON.parse(trimmed) as {
        output?: { type: string; content?: { type: string; text?: string }[] }[];
        model?: string;
        error?: { message?: string };
      };
      const text = (j.output ?? [])
        .flatMap((o) => (o.type === 'message' ? (o.content ?? []) : []))
        .filter((c) => c.type === 'output_text')
        .map((c) => c.text ?? '')
        .join('');
      return { text: j.error ? null : text, model: j.model ?? null, error: j.error?.message ?? null };
    } catch {
      return { text: null, model: null, error: trimmed.slice(0, 300) };
    }
  }
  let text = '';
  let model: string | null = null;
  let error: string | null = null;
  for (const ev of new SseParser().push(body + '\n\n')) {
    try {
      const j = JSON.parse(ev.data) as { type?: string; delta?: string; response?: { model?: string; error?: { message?: string } }; message?: string };
      if (j.type === 'response.output_text.delta') text += j.delta ?? '';
      if (j.response?.model) model = j.response.model;
      if (j.type === 'response.failed') error = j.response?.error?.message ?? 'response failed';
      if (j.type === 'error') error = j.message ?? 'error';
    } catch {
      // not JSON (e.g. [DONE])
    }
  }
  return { text: error ? null : text, model, error };
}

export const responsesTest = (stream: boolean): AccountTest => ({
  defaultModel: 'gpt-5.5',
  op: OPS.openaiResponses,
  body: (model, prompt) => ({ model, input: [{ type: 'message', role: 'user', content: [{ type: 'input_text', text: prompt }] }], stream, store: false }),
  read: responsesText,
});
