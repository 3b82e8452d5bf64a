// Chat Completions for `gemini-*` models (and the /openai/gemini mount): converted to Gemini generateContent, served
// by the Gemini pool (gemini-api natively, gemini-oauth through Code Assist), the answer converted back.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RelayError } from '../../../core/errors.js';
import { newChatCompletionId } from '../../../core/ids.js';
import { OPS } from '../../../providers/types.js';
import type { AnswerTranslator, FailedAnswer } from '../../../relay/types.js';
import { TranslateError } from '../../../translate/errors.js';
import { chatToGemini, geminiErrorToChat, geminiToChatCompletion, GeminiToChatStream } from '../../../translate/openai-chat-to-gemini/index.js';
import { geminiConversationId } from '../gemini/request-info.js';
import { runRelay, type RelaySurfaceDeps } from '../relay-route.js';
import { openaiChatErrors } from './errors.js';

const ENDPOINT = '/v1/chat/completions';

function failure(a: FailedAnswer): FailedAnswer {
  const r = geminiErrorToChat(a.status, a.body);
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
  if (a.headers['retry-after'] !== undefined) headers['retry-after'] = a.headers['retry-after'];
  return { status: r.status, headers, body: Buffer.from(JSON.stringify(r.body)) };
}

/** Gemini answers shown as Chat Completions. */
export function chatFromGemini(ctx: { model: string; id: string; created: number; includeUsage: boolean }): AnswerTranslator {
  return {
    success(sse) {
      if (sse) return new GeminiToChatStream(ctx);
      const chunks: Buffer[] = [];
      return {
        contentType: 'application/json',
        push(c) {
          chunks.push(c);
          return '';
        },
        end() {
          try {
            return JSON.stringify(geminiToChatCompletion(JSON.parse(Buffer.concat(chunks).toString('utf8')), ctx));
          } catch {
            return JSON.stringify(geminiErrorToChat(502, { error: { message: 'The upstream answer could not be read' } }).body);
          }
        },
      };
    },
    failure,
  };
}

/** Relays one Chat Completions request to the Gemini pool. */
export async function geminiChat(
  deps: RelaySurfaceDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  startedAt: number,
  body: Record<string, unknown>,
  model: string,
): Promise<void> {
  let t: ReturnType<typeof chatToGemini>;
  try {
    t = chatToGemini(body);
  } catch (e) {
    if (e instanceof TranslateError) throw new RelayError('BAD_REQUEST', e.param ? `${e.param}: ${e.message}` : e.message);
    throw e;
  }
  const ctx = { model, id: newChatCompletionId(), created: Math.floor(startedAt / 1000), includeUsage: t.includeUsage };
  return runRelay(deps, request, reply, startedAt, {
    service: 'gemini',
    endpoint: ENDPOINT,
    op: t.stream ? OPS.geminiStream : OPS.geminiGenerate,
    query: t.stream ? '?alt=sse' : '',
    body: Buffer.from(JSON.stringify(t.request)),
    json: t.request,
    model,
    conversation: geminiConversationId(t.request),
    stream: t.stream,
    record: true,
    errors: openaiChatErrors,
    translate: chatFromGemini(ctx),
  });
}
