// The Gemini wire, shared by Gemini API-key and Code Assist (Google login) accounts: header allow-lists, usage
// taps (SSE, JSON, the JSON-array stream; Code Assist's `{response}` envelope read too), a stream that opens with
// an error, and the account test.
import { SseParser } from '../../platform/sse.js';
import { OPS, type AccountTest, type StreamStartError, type Wire } from '../types.js';
import { geminiRequestHeaders, geminiResponseHeaders } from './request.js';
import { GeminiJsonTap, GeminiStreamTap, innerResponse } from './usage.js';

/** A 200 SSE answer whose first event is `{"error":{code,…}}` (before any candidate): the failure it stands for. */
function streamStartError(first: Buffer): StreamStartError | null {
  const text = first.toString('utf8');
  if (!/"error"\s*:/.test(text) || /"candidates"/.test(text)) return null;
  for (const ev of new SseParser().push(text)) {
    let j: { error?: { code?: unknown } };
    try {
      j = JSON.parse(ev.data) as typeof j;
    } catch {
      continue;
    }
    if (!j.error || typeof j.error !== 'object') continue;
    const code = Number(j.error.code);
    return { status: Number.isInteger(code) && code >= 400 && code <= 599 ? code : 500, body: j };
  }
  return null;
}

export const geminiWire: Wire = {
  requestHeaders: geminiRequestHeaders,
  responseHeaders: geminiResponseHeaders,
  tap: (_op, sse) => (sse ? new GeminiStreamTap() : new GeminiJsonTap()),
  streamStartError,
};

type Json = Record<string, unknown>;

/** The answer text (thoughts left out) and model of one GenerateContentResponse. */
function textOf(r: Json | null): { text: string; model: string | null } {
  const cand = (Array.isArray(r?.candidates) ? (r.candidates as Json[]) : [])[0];
  const parts = ((cand?.content as { parts?: unknown } | undefined)?.parts ?? []) as Json[];
  const text = Array.isArray(parts)
    ? parts
        .filter((p) => typeof p?.text === 'string' && p.thought !== true)
        .map((p) => p.text as string)
        .join('')
    : '';
  return { text, model: typeof r?.modelVersion === 'string' ? r.modelVersion : null };
}

/** Reads a generateContent answer (plain or in Code Assist's envelope) for the admin's account test. */
export function readGeminiAnswer(body: string): { text: string | null; model: string | null; error: string | null } {
  let j: unknown;
  try {
    j = JSON.parse(body);
  } catch {
    return { text: null, model: null, error: body.slice(0, 300) };
  }
  const r = innerResponse(Array.isArray(j) ? j[0] : j);
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion -- r?.error is unknown; the rule misreads `?? null`
  const err = (r?.error ?? null) as { message?: unknown } | null;
  if (err) return { text: null, model: null, error: typeof err.message === 'string' ? err.message : 'error' };
  const { text, model } = textOf(r);
  return { text, model, error: null };
}

/** The admin test: one short non-streaming generateContent. */
export const geminiTest: AccountTest = {
  defaultModel: 'gemini-2.5-flash',
  op: OPS.geminiGenerate,
  body: (_model, prompt) => ({ contents: [{ role: 'user', parts: [{ text: prompt }] }], generationConfig: { maxOutputTokens: 64 } }),
  read: readGeminiAnswer,
};
