// Gemini errors (Google RPC shape, PROTOCOLS 5.5) → OpenAI error bodies (§4.4), the status kept.
import { tryParseJson } from '../../platform/json-fields.js';
import { openAiErrorKind, type ChatErrorBody } from '../openai-chat-to-anthropic/error.js';

function decode(body: unknown): unknown {
  if (typeof body === 'string') return tryParseJson(body);
  if (body instanceof Uint8Array) return decode(new TextDecoder().decode(body));
  return Array.isArray(body) ? body[0] : body;
}

function googleError(body: unknown): { message?: string; status?: string; code?: number } {
  const e = (decode(body) as { error?: unknown } | undefined)?.error;
  if (typeof e !== 'object' || e === null) return {};
  const { message, status, code } = e as Record<string, unknown>;
  return {
    message: typeof message === 'string' ? message : undefined,
    status: typeof status === 'string' ? status : undefined,
    code: typeof code === 'number' ? code : undefined,
  };
}

/**
 * Converts a Gemini error answer (as text, bytes or parsed JSON) into the OpenAI shape. A body that is not a Google
 * error gets a generic message (it may be an HTML page from a proxy, not something to show a client).
 */
export function geminiErrorToChat(status: number, body: unknown): { status: number; body: ChatErrorBody } {
  const e = googleError(body);
  const out = status >= 400 && status <= 599 ? status : (e.code ?? 502);
  const kind = openAiErrorKind(out);
  const message = e.message ?? `Upstream error (HTTP ${status})`;
  let code = kind.code;
  if (out === 404 && /model/i.test(message)) code = 'model_not_found';
  // An upstream 401/400-invalid-key is about the relay's account credential, not the client's key.
  if (out === 401 || /API key not valid/i.test(message)) code = null;
  return { status: out, body: { error: { message, type: kind.type, param: null, code } } };
}

/** A `data: {"error":…}` event of a Gemini stream → the `error` object of an OpenAI stream error chunk. */
export function geminiStreamErrorToChat(data: unknown): { message: string; type: string; code: null } {
  const e = googleError(data);
  return { message: e.message ?? 'upstream stream failed', type: openAiErrorKind(e.code ?? 500).type, code: null };
}
