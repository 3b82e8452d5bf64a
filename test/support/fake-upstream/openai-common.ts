// Shared wire details of the OpenAI personality (PROTOCOLS 4.4, 3.3): ids, response headers, error bodies, the
// x-codex-* plan headers, token counting and the placeholder arguments of generated tool calls.
import { randomBytes } from 'node:crypto';
import type { ErrorBehaviour } from './behaviours.js';
import type { CodexPlanUsage, ToolCallSpec } from './openai-behaviours.js';
import { uuidFrom } from './ids.js';
import { type RequestContext, sendJson } from './respond.js';

/** `{error:{message,type,param,code}}` of every OpenAI error answer. */
export interface OpenAIErrorObject {
  message: string;
  type: string | null;
  param: string | null;
  code: string | null;
  [extra: string]: unknown;
}

const hex = (bytes: number): string => randomBytes(bytes).toString('hex');
const b62 = (n: number): string => randomBytes(n).toString('base64url').replace(/[-_]/g, 'x').slice(0, n);

/** Real-looking ids: `req_<32 hex>`, `chatcmpl-…`, `call_…`, `resp_<hex>`, `msg_<hex>`, `fc_<hex>`, `rs_<hex>`. */
export const ids = {
  request: () => `req_${hex(16)}`,
  chat: () => `chatcmpl-${b62(29)}`,
  call: () => `call_${b62(24)}`,
  response: () => `resp_${hex(24)}`,
  message: () => `msg_${hex(24)}`,
  functionCall: () => `fc_${hex(24)}`,
  reasoning: () => `rs_${hex(24)}`,
  fingerprint: () => `fp_${hex(5)}`,
};

/** Go-style durations like the `x-ratelimit-reset-*` headers: `120ms`, `1s`, `6m0s`, `1h2m3s`. */
export function duration(seconds: number): string {
  if (seconds < 1) return `${Math.round(seconds * 1000)}ms`;
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h ? `${h}h` : ''}${m}m${s % 60}s`;
}

/** Headers of every api.openai.com answer; `rateLimitedFor` (seconds) models the state after a 429. */
export function openaiHeaders(ctx: RequestContext, rateLimitedFor?: number): Record<string, string> {
  return {
    'x-request-id': ctx.requestId,
    'openai-organization': `user-${uuidFrom(ctx.credential?.value ?? 'anonymous')
      .replace(/-/g, '')
      .slice(0, 24)}`,
    'openai-processing-ms': String(Date.now() - ctx.now + 12),
    'openai-version': '2020-10-01',
    'x-ratelimit-limit-requests': '10000',
    'x-ratelimit-remaining-requests': rateLimitedFor !== undefined ? '0' : '9999',
    'x-ratelimit-reset-requests': duration(rateLimitedFor ?? 0.006),
    'x-ratelimit-limit-tokens': '30000000',
    'x-ratelimit-remaining-tokens': rateLimitedFor !== undefined ? '0' : '29998000',
    'x-ratelimit-reset-tokens': duration(rateLimitedFor ?? 0.004),
    'cf-ray': `${hex(8)}-CDG`,
    server: 'cloudflare',
  };
}

/** `x-codex-*` plan headers of every ChatGPT-backend answer (PROTOCOLS 3.3). */
export function codexHeaders(u: CodexPlanUsage, now: number): Record<string, string> {
  const h: Record<string, string> = { 'x-request-id': ids.request(), 'cf-ray': `${hex(8)}-CDG`, server: 'cloudflare' };
  const s = Math.floor(now / 1000);
  const sides = [
    ['primary', u.primaryUsedPercent, 300, u.primaryResetAfterSeconds],
    ['secondary', u.secondaryUsedPercent, 10080, u.secondaryResetAfterSeconds],
  ] as const;
  for (const [side, used, minutes, after] of sides) {
    h[`x-codex-${side}-used-percent`] = String(used);
    h[`x-codex-${side}-window-minutes`] = String(minutes);
    if (u.resetHeaders !== 'after') h[`x-codex-${side}-reset-at`] = String(s + after);
    if (u.resetHeaders !== 'at') h[`x-codex-${side}-reset-after-seconds`] = String(after);
  }
  h['x-codex-primary-over-secondary-limit-percent'] = '0';
  return h;
}

/** The Codex backend's usage-limit error object (429 body's `error`, or `response.error` of a failed stream). */
export function usageLimitError(planType: string, resetsInSeconds: number, now: number): OpenAIErrorObject {
  return {
    type: 'usage_limit_reached',
    code: 'usage_limit_reached',
    message: 'The usage limit has been reached',
    param: null,
    plan_type: planType,
    resets_at: Math.floor(now / 1000) + resetsInSeconds,
    resets_in_seconds: resetsInSeconds,
  };
}

/** Default message of a `response.failed` / rate-limit error code. */
export function messageForCode(code: string, model = 'gpt-5.5', retryAfter?: number): string {
  switch (code) {
    case 'rate_limit_exceeded':
      return `Rate limit reached for ${model} in organization org-fake on tokens per min (TPM): Limit 30000, Used 30000, Requested 812. Please try again in ${retryAfter ?? 1.5}s. Visit https://platform.openai.com/account/rate-limits to learn more.`;
    case 'insufficient_quota':
      return 'You exceeded your current quota, please check your plan and billing details. For more information on this error, read the docs: https://platform.openai.com/docs/guides/error-codes/api-errors.';
    case 'context_length_exceeded':
      return 'Your input exceeds the context window of this model. Please adjust your input and try again.';
    case 'invalid_api_key':
      return 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.';
    case 'model_not_found':
      return `The model \`${model}\` does not exist or you do not have access to it.`;
    case 'server_error':
      return 'An error occurred while processing your request. Please include the request ID in your message.';
    default:
      return `Error: ${code}`;
  }
}

/** The error object for an ErrorBehaviour on an OpenAI endpoint (see {@link ErrorBehaviour} for the defaults). */
export function errorObjectFor(b: ErrorBehaviour, model: string | undefined): OpenAIErrorObject {
  const s = b.status;
  const code =
    b.code !== undefined
      ? b.code
      : s === 429
        ? b.type === 'insufficient_quota'
          ? 'insufficient_quota'
          : 'rate_limit_exceeded'
        : s === 401
          ? 'invalid_api_key'
          : s === 404
            ? 'model_not_found'
            : null;
  const type = b.type ?? (code === 'insufficient_quota' ? 'insufficient_quota' : s === 429 ? 'requests' : s >= 500 ? 'server_error' : 'invalid_request_error');
  const fallback =
    s === 503
      ? 'The engine is currently overloaded, please try again later.'
      : s >= 500
        ? 'The server had an error while processing your request. Sorry about that!'
        : code
          ? messageForCode(code, model, b.retryAfter)
          : 'Invalid request.';
  return { message: b.message ?? fallback, type, param: b.param ?? null, code };
}

/** Sends `{error}` with the given status and headers. */
export function sendOpenAIError(ctx: RequestContext, status: number, error: OpenAIErrorObject, headers: Record<string, string>): void {
  sendJson(ctx, status, { error }, headers);
}

/** ceil(UTF-8 bytes / 4) of the JSON of the given fields; absent fields are omitted. */
const quarterBytes = (v: unknown): number => Math.ceil(Buffer.byteLength(JSON.stringify(v), 'utf8') / 4);

/** Chat prompt_tokens = ceil(UTF-8 byte length of JSON.stringify({messages, tools}) / 4). */
export const countChatPromptTokens = (body: { messages?: unknown; tools?: unknown }): number => quarterBytes({ messages: body.messages, tools: body.tools });

/** Responses input_tokens = ceil(UTF-8 byte length of JSON.stringify({instructions, input, tools}) / 4). */
export const countResponsesInputTokens = (body: { instructions?: unknown; input?: unknown; tools?: unknown }): number =>
  quarterBytes({ instructions: body.instructions, input: body.input, tools: body.tools });

const SAMPLE_VALUES: Record<string, unknown> = { number: 1, integer: 1, boolean: true, array: [], object: {} };

/** Placeholder arguments for a JSON schema: its required properties, strings as 'x', numbers 1, … */
export function sampleArguments(schema: any): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of Array.isArray(schema?.required) ? schema.required : []) {
    out[prop] = structuredClone(SAMPLE_VALUES[schema.properties?.[prop]?.type] ?? 'x');
  }
  return out;
}

/** A resolved tool call: name and the exact `arguments` string. */
export interface ResolvedCall {
  name: string;
  arguments: string;
}

export const resolveCall = (c: ToolCallSpec): ResolvedCall => ({
  name: c.name,
  arguments: typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments ?? {}),
});

/** The `arguments` string as fragments: 10-code-point slices ('' stays one empty fragment). */
export function splitArguments(args: string): string[] {
  const chars = Array.from(args);
  const out: string[] = [];
  for (let i = 0; i < chars.length; i += 10) out.push(chars.slice(i, i + 10).join(''));
  return out.length ? out : [''];
}

/** `echo: <text>` cut to 200 code points. */
export const echo = (text: string): string => `echo: ${Array.from(text).slice(0, 200).join('')}`;

/** Text of a content value: a string, or the joined `text` of its text-ish parts. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((p: any) => p && typeof p.text === 'string' && (p.type === 'text' || p.type === 'input_text' || p.type === 'output_text'))
    .map((p: any) => p.text as string)
    .join('\n');
}
