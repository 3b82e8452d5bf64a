// Writes a Gemini reply behaviour (PROTOCOLS 5.3, 5.4): JSON, SSE (`data: ` + blank line, LF or CRLF, with the
// transport knobs), or the JSON-array stream of `streamGenerateContent` without `alt=sse`. Code Assist wraps each
// answer as `{response, traceId}` (5.6). Also the shared hang/drop/error behaviours on Gemini endpoints.
import { randomBytes } from 'node:crypto';
import type { Behaviour } from './behaviours.js';
import type { GeminiReplyBehaviour } from './gemini-behaviours.js';
import { buildGemini, geminiChunks, geminiResponse, type GeminiRequest } from './gemini-build.js';
import { sendGoogleError, specFor } from './gemini-errors.js';
import { delay, hang, type RequestContext, sendJson } from './respond.js';
import { planCuts, splitAt, writeSse, type SsePlan } from './sse-writer.js';

type Json = Record<string, unknown>;

export interface GeminiCall {
  req: GeminiRequest;
  model: string;
  stream: boolean;
  /** `alt=sse` (else the JSON-array form). */
  sse: boolean;
  /** Code Assist: wrap every answer. */
  codeAssist: boolean;
}

export function geminiHeaders(extra: Record<string, string> = {}): Record<string, string> {
  return {
    server: 'scaffolding on HTTPServer2',
    'server-timing': 'gfet4t7; dur=412',
    vary: 'Origin, X-Origin, Referer',
    'x-content-type-options': 'nosniff',
    ...extra,
  };
}

const wrap = (call: GeminiCall, answer: Json): Json => (call.codeAssist ? { response: answer, traceId: randomBytes(8).toString('hex') } : answer);

/** Answers one request with the behaviour taken from the queue (a reply when none). */
export async function answerGemini(ctx: RequestContext, call: GeminiCall, b: Behaviour | undefined): Promise<void> {
  if (b && b.kind !== 'gemini_reply') {
    if (b.kind === 'error') {
      if (await delay(ctx, b.headersDelayMs)) sendGoogleError(ctx, specFor(b, call.codeAssist), { ...geminiHeaders(), ...b.headers });
      return;
    }
    if (b.kind === 'hang') return hang(ctx, b.afterHeaders === true, call.stream && call.sse);
    if (b.kind === 'drop') return ctx.destroy(true);
    throw new Error(`fake-upstream: a ${b.kind} behaviour cannot answer a Gemini endpoint`);
  }
  const reply: GeminiReplyBehaviour = b ?? { kind: 'gemini_reply' };
  if (!(await delay(ctx, reply.headersDelayMs))) return;
  const built = buildGemini(call.req, reply, call.model);
  const headers = geminiHeaders(reply.headers);
  if (!call.stream) return sendJson(ctx, 200, wrap(call, geminiResponse(built)), { 'content-type': 'application/json; charset=UTF-8', ...headers });
  const chunks = geminiChunks(built, reply).map((c) => wrap(call, c));
  const knobs = reply.stream ?? {};
  const nl = knobs.crlf ? '\r\n' : '\n';
  let frames: string[];
  let terminal: SsePlan['terminal'] = 'end';
  if (call.sse) {
    frames = chunks.map((c) => `data:${knobs.noSpace ? '' : ' '}${JSON.stringify(c)}${nl}${nl}`);
    if (knobs.errorAfterEvents !== undefined) {
      frames = frames.slice(0, knobs.errorAfterEvents);
      frames.push(`data: ${JSON.stringify({ error: { code: 500, message: 'An internal error has occurred.', status: 'INTERNAL' } })}${nl}${nl}`);
    }
  } else {
    frames = chunks.map((c, i) => `${i === 0 ? '[' : ',\r\n'}${JSON.stringify(c)}`);
    frames.push(']');
  }
  if (knobs.dropAfterEvents !== undefined) {
    frames = frames.slice(0, knobs.dropAfterEvents);
    terminal = 'destroy';
  }
  const buf = Buffer.from(frames.join(''), 'utf8');
  const ends: number[] = [];
  let total = 0;
  for (const f of frames) ends.push((total += Buffer.byteLength(f)));
  const plan: SsePlan = { pieces: splitAt(buf, planCuts(buf, ends, knobs.chunking, knobs.seed)), terminal };
  ctx.res.writeHead(200, { 'content-type': call.sse ? 'text/event-stream' : 'application/json; charset=UTF-8', ...headers });
  ctx.res.flushHeaders();
  await writeSse(ctx.res, plan, knobs, ctx.signal, () => ctx.destroy());
}

/** countTokens: `{totalTokens}` (the prompt count unless the behaviour says otherwise). */
export function answerCountTokens(ctx: RequestContext, total: number, b: Behaviour | undefined, codeAssist: boolean): void {
  if (b?.kind === 'error') return sendGoogleError(ctx, specFor(b, codeAssist), geminiHeaders(b.headers));
  const totalTokens = b?.kind === 'gemini_reply' && b.totalTokens !== undefined ? b.totalTokens : total;
  sendJson(
    ctx,
    200,
    { totalTokens, promptTokensDetails: [{ modality: 'TEXT', tokenCount: totalTokens }] },
    { 'content-type': 'application/json; charset=UTF-8', ...geminiHeaders() },
  );
}
