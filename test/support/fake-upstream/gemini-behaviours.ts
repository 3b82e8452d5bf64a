// Behaviour types of the fake's Gemini personality (Developer API and Code Assist). They go through the shared
// queue: `fake.enqueue({ kind: 'gemini_reply', … }, { endpoint: 'gemini_generate', apiKey })`.
//
// Errors use the shared `{ kind: 'error', status }` behaviour; on Gemini endpoints it becomes Google's RPC shape
// `{error:{code, message, status, details}}` (PROTOCOLS 5.5): `type` is the google.rpc `status` (default by HTTP
// status: 400 INVALID_ARGUMENT, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 429 RESOURCE_EXHAUSTED,
// 500 INTERNAL, 503 UNAVAILABLE, 504 DEADLINE_EXCEEDED), `code` the ErrorInfo `reason` (e.g. `API_KEY_INVALID`,
// `RATE_LIMIT_EXCEEDED`, `CONSUMER_SUSPENDED`; default RATE_LIMIT_EXCEEDED for 429), `retryAfter` the RetryInfo
// `retryDelay` in seconds (default 30 for 429; on Code Assist also `quotaResetDelay`), `message` the message.
import type { StreamKnobs } from './behaviours.js';

/** Transport knobs of Gemini SSE replies (`?alt=sse`); an "event" is one `data:` line. */
export interface GeminiStreamKnobs extends Pick<StreamKnobs, 'chunking' | 'seed' | 'delayMs'> {
  /** Frame events with `\r\n` line ends (`\r\n\r\n` between events) instead of `\n`. */
  crlf?: boolean;
  /** After this many events, destroy the socket (no finish chunk, no chunked terminator). */
  dropAfterEvents?: number;
  /** After this many events, send `data: {"error":{code,message,status}}` and end the response cleanly. */
  errorAfterEvents?: number;
  /** Write `data:{…}` without the space after the colon (what breaks js-genai and Gemini CLI). */
  noSpace?: boolean;
}

/** Overrides of `usageMetadata`; `totalTokenCount` is always prompt + candidates + thoughts + toolUsePrompt. */
export interface GeminiUsageOverride {
  /** Includes `cachedContentTokenCount`. Default: ceil(bytes of the request's contents/system/tools JSON / 4). */
  promptTokenCount?: number;
  cachedContentTokenCount?: number;
  /** Default: words of the answer text + 1 per function call. */
  candidatesTokenCount?: number;
  /** Default: words of the thought text (thinking scenario), else absent. */
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
}

/** A function call the fake should make instead of the generated ones. */
export interface GeminiCallSpec {
  name: string;
  args?: Record<string, unknown>;
}

/**
 * Answer generateContent / streamGenerateContent (both personalities) with 200, or countTokens with
 * `{totalTokens}`. Default endpoint `'gemini_generate'`.
 */
export interface GeminiReplyBehaviour {
  kind: 'gemini_reply';
  /**
   * `'text'` (default): `echo: <last user text, ≤ 200 chars>`, finishReason STOP.
   * `'function_call'`: one functionCall per declared function (the first only under `mode: ANY` with
   * allowedFunctionNames), args = required properties with placeholder values; without tools one
   * `get_weather {city: "Paris"}`. finishReason STOP (Gemini has no tool-call reason).
   * `'thinking'`: a `thought: true` part first, then the text with a `thoughtSignature`.
   * `'max_tokens'`: the echo cut to `maxOutputTokens` words, finishReason MAX_TOKENS.
   * `'safety'`: the echo and finishReason SAFETY. `'blocked'`: no candidates, `promptFeedback.blockReason: SAFETY`.
   */
  scenario?: 'text' | 'function_call' | 'thinking' | 'max_tokens' | 'safety' | 'blocked';
  text?: string;
  functionCalls?: GeminiCallSpec[];
  /** `thoughtSignature` put on function-call parts (and on the text after thoughts). Default a fixed opaque value. */
  thoughtSignature?: string;
  usage?: GeminiUsageOverride;
  /** Leave `usageMetadata` out entirely. */
  noUsage?: boolean;
  /** `modelVersion` of the answer (default: the model of the request). */
  modelVersion?: string;
  /** Stream: put finishReason (and the final usage) in a separate last chunk with no content. */
  finishInSeparateChunk?: boolean;
  /** Stream: no chunk carries a finishReason (the stream just ends). */
  noFinishReason?: boolean;
  /** countTokens: `totalTokens` (default: the prompt count). */
  totalTokens?: number;
  headers?: Record<string, string>;
  headersDelayMs?: number;
  stream?: GeminiStreamKnobs;
}
