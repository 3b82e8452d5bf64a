// Usage from Gemini answers (PROTOCOLS 5.3, 5.4, 6.7): usageMetadata → Usage, and the taps over SSE (plain and in
// Code Assist's envelope, LF or CRLF, any chunking), JSON and the JSON-array stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GeminiJsonTap, GeminiStreamTap, geminiUsage } from './usage.js';

test('usageMetadata → Usage: input excludes cached prompt tokens, tool-use prompt counts as input, output = candidates + thoughts', () => {
  assert.deepEqual(
    geminiUsage({
      promptTokenCount: 120,
      cachedContentTokenCount: 64,
      candidatesTokenCount: 18,
      thoughtsTokenCount: 210,
      toolUsePromptTokenCount: 5,
      totalTokenCount: 353,
    }),
    { input: 61, output: 228, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 64 },
  );
  assert.deepEqual(geminiUsage({ promptTokenCount: 4 }), { input: 4, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 });
  assert.equal(geminiUsage(undefined), null);
});

const ev = (o: unknown, nl = '\n') => `data: ${JSON.stringify(o)}${nl}${nl}`;
const chunk = (text: string, usage: unknown, finish?: string) => ({
  candidates: [{ content: { parts: [{ text }], role: 'model' }, ...(finish ? { finishReason: finish } : {}) }],
  usageMetadata: usage,
  modelVersion: 'gemini-2.5-flash',
});

function tapAll(tap: GeminiStreamTap | GeminiJsonTap, text: string, size: number) {
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) tap.push(bytes.subarray(i, i + size));
  return tap.finish();
}

test('SSE: the last usage wins (never summed), complete at the finish reason, model read; LF or CRLF, any chunking, enveloped or not', () => {
  for (const wrap of [false, true]) {
    for (const nl of ['\n', '\r\n']) {
      const w = (o: unknown) => (wrap ? { response: o, traceId: 't' } : o);
      const text =
        ev(w(chunk('Hel', { promptTokenCount: 10, totalTokenCount: 10 })), nl) +
        ev(w(chunk('lo', { promptTokenCount: 10, candidatesTokenCount: 2, totalTokenCount: 12 }, 'STOP')), nl);
      for (const size of [text.length, 1, 7]) {
        const r = tapAll(new GeminiStreamTap(), text, size);
        assert.deepEqual(
          r,
          { usage: { input: 10, output: 2, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, model: 'gemini-2.5-flash', complete: true, errorType: null },
          `wrap ${wrap}, ${JSON.stringify(nl)}, ${size}`,
        );
      }
    }
  }
});

test('SSE: a cut stream is incomplete but keeps its usage; an error event is reported', () => {
  assert.equal(tapAll(new GeminiStreamTap(), ev(chunk('a', { promptTokenCount: 3 })), 5).complete, false);
  const r = tapAll(new GeminiStreamTap(), ev(chunk('a', { promptTokenCount: 3 })) + ev({ error: { code: 503, status: 'UNAVAILABLE' } }), 100);
  assert.equal(r.errorType, 'UNAVAILABLE');
  assert.equal(r.usage?.input, 3);
});

test('JSON: a whole answer, a JSON-array stream (last usage), an envelope, and an error body', () => {
  assert.deepEqual(tapAll(new GeminiJsonTap(), JSON.stringify(chunk('x', { promptTokenCount: 5, candidatesTokenCount: 1 }, 'STOP')), 3).usage, {
    input: 5,
    output: 1,
    cacheWrite5m: 0,
    cacheWrite1h: 0,
    cacheRead: 0,
  });
  const arr = tapAll(
    new GeminiJsonTap(),
    JSON.stringify([chunk('a', { promptTokenCount: 5 }), chunk('b', { promptTokenCount: 5, candidatesTokenCount: 2 }, 'STOP')]),
    4,
  );
  assert.deepEqual([arr.usage?.output, arr.complete], [2, true]);
  assert.equal(tapAll(new GeminiJsonTap(), JSON.stringify({ response: chunk('x', { promptTokenCount: 9 }, 'STOP'), traceId: 't' }), 10).usage?.input, 9);
  assert.equal(tapAll(new GeminiJsonTap(), '{"error":{"code":500,"status":"INTERNAL"}}', 10).errorType, 'INTERNAL');
});
