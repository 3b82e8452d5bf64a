// What the Gemini surface reads from a request besides its body: the relay key (`x-goog-api-key`, `?key=`,
// `Authorization: Bearer`), the model and method of `models/{model}:{method}`, and the conversation for stickiness.
import type { FastifyRequest } from 'fastify';
import { RelayError } from '../../../core/errors.js';
import { conversationId, shortHash } from '../../../scheduling/session-id.js';
import { modelOf, presentedKey } from '../relay-route.js';

/** The relay key the client presented. Never forwarded: the upstream gets the account's credential only. */
export function geminiKey(request: FastifyRequest): string | undefined {
  const h = request.headers['x-goog-api-key'];
  if (typeof h === 'string' && h.trim()) return h.trim();
  const i = request.url.indexOf('?');
  const q = i === -1 ? null : new URLSearchParams(request.url.slice(i + 1)).get('key');
  if (q) return q.trim();
  return presentedKey(request.headers);
}

/** `gemini-2.5-flash:generateContent` (the path segment after models/) → model and method. */
export function modelAndMethod(target: string): { model: string; method: string } {
  const i = target.lastIndexOf(':');
  if (i <= 0) throw new RelayError('NOT_FOUND', `models/${target}: expected models/{model}:{method}`);
  const model = modelOf({ model: target.slice(0, i).replace(/^models\//, '') });
  return { model, method: target.slice(i + 1) };
}

type Json = Record<string, unknown>;

function textOf(content: unknown): string {
  const parts = (content as { parts?: unknown } | undefined)?.parts;
  if (!Array.isArray(parts)) return '';
  return parts.map((p) => (p && typeof (p as { text?: unknown }).text === 'string' ? (p as { text: string }).text : '')).join('\n');
}

/** The conversation of a Gemini request: a hash of its system instruction and first user content. */
export function geminiConversationId(body: Json): string | null {
  const contents = Array.isArray(body.contents) ? (body.contents as Json[]) : [];
  const first = contents.find((c) => c?.role === 'user' || c?.role === undefined);
  return conversationId({ system: textOf(body.systemInstruction), messages: first ? [{ role: 'user', content: textOf(first) }] : [] }, {});
}

/** The conversation of a Code Assist request: Gemini CLI's session id, else the inner request's content hash. */
export function codeAssistConversationId(body: Json): string | null {
  const request = (body.request ?? {}) as Json;
  if (typeof request.session_id === 'string' && request.session_id) return 's:' + shortHash(request.session_id);
  return geminiConversationId(request);
}
