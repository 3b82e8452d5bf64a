// What the Gemini personality answers (PROTOCOLS 5.2–5.4): request validation like Google's (unknown fields and
// empty parts are 400s), token counting, and the GenerateContentResponse of a reply behaviour, whole or as the
// incremental chunks of a stream.
import { randomBytes } from 'node:crypto';
import type { GeminiReplyBehaviour } from './gemini-behaviours.js';
import { countWords } from './tokens.js';

export interface GeminiRequest {
  contents?: any[];
  systemInstruction?: any;
  tools?: any[];
  toolConfig?: any;
  generationConfig?: any;
  [field: string]: unknown;
}

type Json = Record<string, any>;

const KNOWN_FIELDS = new Set(['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig', 'safetySettings', 'cachedContent', 'labels']);
/** Part fields the API knows (the fake accepts any of them; a part needs at least one data field). */
const DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult'];
export const DEFAULT_SIGNATURE = 'CikB0e2Kb8fake-thought-signature-0123456789abcdef';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Google's 400 message for a body the API refuses, or null when it is acceptable. */
export function validateGemini(body: unknown, opts: { extraFields?: readonly string[]; requireSignatures?: boolean; model: string }): string | null {
  if (!isObject(body)) return 'Invalid JSON payload received. Expected an object.';
  for (const k of Object.keys(body)) {
    if (!KNOWN_FIELDS.has(k) && !opts.extraFields?.includes(k)) return `Invalid JSON payload received. Unknown name "${k}": Cannot find field.`;
  }
  if (!Array.isArray(body.contents) || body.contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified';
  for (const [i, c] of body.contents.entries()) {
    if (!isObject(c)) return `* GenerateContentRequest.contents[${i}]: must be an object`;
    if (c.role !== undefined && !['user', 'model', 'function'].includes(c.role)) return `Please use a valid role: user, model.`;
    if (!Array.isArray(c.parts) || c.parts.length === 0) return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.`;
    for (const [j, p] of c.parts.entries()) {
      if (!isObject(p) || !DATA_FIELDS.some((f) => p[f] !== undefined))
        return `* GenerateContentRequest.contents[${i}].parts[${j}].data: required oneof field 'data' must have one initialized field`;
      if (p.text !== undefined && typeof p.text !== 'string') return `Invalid value at 'contents[${i}].parts[${j}].text'`;
      if (isObject(p.functionResponse) && !isObject(p.functionResponse.response))
        return `Invalid value at 'contents[${i}].parts[${j}].function_response.response' (type.googleapis.com/google.protobuf.Struct)`;
      if (opts.requireSignatures && c.role === 'model' && p.functionCall !== undefined && typeof p.thoughtSignature !== 'string') {
        return `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${p.functionCall?.name}\` , position ${j + 1}.`;
      }
    }
  }
  if (body.tools !== undefined && !Array.isArray(body.tools)) return "Invalid value at 'tools'";
  return null;
}

/** promptTokenCount = ceil(UTF-8 bytes of JSON.stringify({contents, systemInstruction, tools}) / 4). */
export function countGeminiPrompt(req: GeminiRequest): number {
  return Math.ceil(Buffer.byteLength(JSON.stringify({ contents: req.contents, systemInstruction: req.systemInstruction, tools: req.tools }), 'utf8') / 4);
}

/** Text of the last user content that has text (function responses skipped). */
export function lastUserText(req: GeminiRequest): string {
  for (const c of [...(req.contents ?? [])].reverse()) {
    if (c?.role !== undefined && c.role !== 'user') continue;
    const text = (Array.isArray(c?.parts) ? c.parts : [])
      .filter((p: Json) => typeof p?.text === 'string')
      .map((p: Json) => p.text)
      .join('\n');
    if (text) return text;
  }
  return '';
}

function sampleArgs(schema: Json | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const prop of Array.isArray(schema?.required) ? schema.required : []) {
    const t = String(schema?.properties?.[prop]?.type ?? 'string').toLowerCase();
    out[prop] = t === 'number' || t === 'integer' ? 1 : t === 'boolean' ? true : t === 'array' ? [] : t === 'object' ? {} : `sample-${prop}`;
  }
  return out;
}

function chooseCalls(req: GeminiRequest, b: GeminiReplyBehaviour): { name: string; args: Record<string, unknown> }[] {
  if (b.functionCalls?.length) return b.functionCalls.map((c) => ({ name: c.name, args: c.args ?? {} }));
  const decls: Json[] = (req.tools ?? []).flatMap((t: Json) => (Array.isArray(t?.functionDeclarations) ? t.functionDeclarations : []));
  if (decls.length === 0) return [{ name: 'get_weather', args: { city: 'Paris' } }];
  const fc = req.toolConfig?.functionCallingConfig;
  const allowed: string[] | undefined = fc?.mode === 'ANY' && Array.isArray(fc.allowedFunctionNames) ? fc.allowedFunctionNames : undefined;
  const chosen = allowed ? decls.filter((d) => allowed.includes(d.name)).slice(0, 1) : decls;
  return chosen.map((d) => ({ name: d.name, args: sampleArgs(d.parameters ?? d.parametersJsonSchema) }));
}

/** One reply, before it is cut into chunks. */
export interface GeminiBuilt {
  thought: string | null;
  text: string | null;
  calls: { name: string; args: Record<string, unknown> }[];
  finishReason: string | null;
  blocked: boolean;
  signature: string;
  usage: Json | null;
  modelVersion: string;
  responseId: string;
}

export function buildGemini(req: GeminiRequest, b: GeminiReplyBehaviour, model: string): GeminiBuilt {
  const scenario = b.scenario ?? 'text';
  let text: string | null = b.text ?? `echo: ${lastUserText(req).slice(0, 200)}`;
  let finishReason: string | null = 'STOP';
  const calls = scenario === 'function_call' ? chooseCalls(req, b) : [];
  if (scenario === 'function_call') text = b.text ?? null;
  const thought = scenario === 'thinking' ? 'Let me think about this request first.' : null;
  if (scenario === 'max_tokens') {
    const max = Number(req.generationConfig?.maxOutputTokens) || 3;
    text = text!.split(/\s+/).slice(0, max).join(' ');
    finishReason = 'MAX_TOKENS';
  }
  if (scenario === 'safety') finishReason = 'SAFETY';
  const blocked = scenario === 'blocked';
  const prompt = b.usage?.promptTokenCount ?? countGeminiPrompt(req);
  const candidates = b.usage?.candidatesTokenCount ?? (blocked ? 0 : countWords(text ?? '') + calls.length);
  const thoughts = b.usage?.thoughtsTokenCount ?? (thought ? countWords(thought) : undefined);
  const usage: Json = { promptTokenCount: prompt, candidatesTokenCount: candidates };
  if (b.usage?.cachedContentTokenCount !== undefined) usage.cachedContentTokenCount = b.usage.cachedContentTokenCount;
  if (thoughts !== undefined) usage.thoughtsTokenCount = thoughts;
  if (b.usage?.toolUsePromptTokenCount !== undefined) usage.toolUsePromptTokenCount = b.usage.toolUsePromptTokenCount;
  usage.totalTokenCount = prompt + candidates + (thoughts ?? 0) + (b.usage?.toolUsePromptTokenCount ?? 0);
  usage.promptTokensDetails = [{ modality: 'TEXT', tokenCount: prompt }];
  return {
    thought,
    text: blocked ? null : text,
    calls: blocked ? [] : calls,
    finishReason: blocked || b.noFinishReason ? null : finishReason,
    blocked,
    signature: b.thoughtSignature ?? DEFAULT_SIGNATURE,
    usage: b.noUsage ? null : usage,
    modelVersion: b.modelVersion ?? model,
    responseId: randomBytes(12).toString('base64url'),
  };
}

function answer(g: GeminiBuilt, parts: Json[] | null, finish: boolean, usage: Json | null): Json {
  const out: Json = {};
  if (g.blocked) out.promptFeedback = { blockReason: 'SAFETY', safetyRatings: [] };
  else {
    const cand: Json = { index: 0 };
    if (parts) cand.content = { parts, role: 'model' };
    if (finish && g.finishReason) cand.finishReason = g.finishReason;
    out.candidates = [cand];
  }
  if (usage) out.usageMetadata = usage;
  out.modelVersion = g.modelVersion;
  out.responseId = g.responseId;
  return out;
}

function allParts(g: GeminiBuilt): Json[] {
  const parts: Json[] = [];
  if (g.thought) parts.push({ text: g.thought, thought: true });
  if (g.text !== null && g.text !== '') parts.push(g.thought ? { text: g.text, thoughtSignature: g.signature } : { text: g.text });
  for (const c of g.calls) parts.push({ functionCall: { name: c.name, args: c.args }, thoughtSignature: g.signature });
  return parts;
}

/** The whole answer of a non-streaming call. */
export function geminiResponse(g: GeminiBuilt): Json {
  return answer(g, g.blocked ? null : allParts(g), true, g.usage);
}

/**
 * The chunks of a stream: the thought, the text in word-sized deltas, the function calls whole in one chunk; every
 * chunk carries running usage (prompt only until the last), the last one the finish reason (or a separate one).
 */
export function geminiChunks(g: GeminiBuilt, b: GeminiReplyBehaviour): Json[] {
  if (g.blocked) return [answer(g, null, true, g.usage)];
  const pieces: Json[][] = [];
  if (g.thought) pieces.push([{ text: g.thought, thought: true }]);
  const words = g.text ? (g.text.match(/\S+\s*/g) ?? [g.text]) : [];
  words.forEach((w, i) => pieces.push([i === 0 && g.thought ? { text: w, thoughtSignature: g.signature } : { text: w }]));
  if (g.calls.length) pieces.push(g.calls.map((c) => ({ functionCall: { name: c.name, args: c.args }, thoughtSignature: g.signature })));
  if (pieces.length === 0) pieces.push([]);
  const running = g.usage ? { promptTokenCount: g.usage.promptTokenCount, totalTokenCount: g.usage.promptTokenCount } : null;
  const separate = b.finishInSeparateChunk === true;
  const chunks = pieces.map((p, i) => {
    const last = i === pieces.length - 1 && !separate;
    return answer(g, p, last, last ? g.usage : running);
  });
  if (separate) chunks.push(answer(g, null, true, g.usage));
  return chunks;
}
