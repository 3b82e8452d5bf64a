// POST …/chat/completions: a `claude-*` model (or the /openai/claude mount) is converted to Anthropic Messages
// and served by the Claude pool, its answer converted back; any other model passes through to an OpenAI
// account, with usage asked for so the request can be metered.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RelayError } from '../../../core/errors.js';
import { newChatCompletionId } from '../../../core/ids.js';
import { OPS } from '../../../providers/types.js';
import type { AnswerConverter, AnswerTranslator, FailedAnswer } from '../../../relay/types.js';
import { chatConversationId, conversationId } from '../../../scheduling/session-id.js';
import { TranslateError } from '../../../translate/errors.js';
import { AnthropicToChatStream, anthropicErrorToChat, chatToMessages, messageToChatCompletion } from '../../../translate/openai-chat-to-anthropic/index.js';
import { requestStreamUsage, UsageChunkFilter } from '../../../translate/openai-chat-usage/index.js';
import { modelOf, runRelay, type RelaySurfaceDeps } from '../relay-route.js';
import { geminiChat } from './chat-gemini.js';
import { anthropicBody, readChatBody } from './chat-body.js';
import { openaiChatErrors } from './errors.js';

const ENDPOINT = '/v1/chat/completions';

/** Collects a JSON answer and writes its conversion once it is whole. */
function jsonConverter(convert: (body: unknown) => unknown): AnswerConverter {
  const chunks: Buffer[] = [];
  return {
    contentType: 'application/json',
    push(chunk) {
      chunks.push(chunk);
      return '';
    },
    end() {
      try {
        return JSON.stringify(convert(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      } catch {
        return JSON.stringify(anthropicErrorToChat(502, { error: { type: 'api_error', message: 'The upstream answer could not be read' } }).body);
      }
    },
  };
}

function failure(a: FailedAnswer): FailedAnswer {
  let parsed: unknown;
  try {
    parsed = JSON.parse(a.body.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const r = anthropicErrorToChat(a.status, parsed);
  const headers: Record<string, string | string[]> = { 'content-type': 'application/json' };
  for (const h of ['retry-after', 'retry-after-ms', 'x-should-retry', 'request-id'])
    if (a.headers[h] !== undefined) headers[h === 'request-id' ? 'x-request-id' : h] = a.headers[h];
  return { status: r.status, headers, body: Buffer.from(JSON.stringify(r.body)) };
}

/** Anthropic answers shown as Chat Completions. */
export function chatFromAnthropic(ctx: { model: string; id: string; created: number; includeUsage: boolean }): AnswerTranslator {
  return {
    success(sse) {
      return sse ? new AnthropicToChatStream(ctx) : jsonConverter((msg) => messageToChatCompletion(msg, ctx));
    },
    failure,
  };
}

const PASS_USAGE_FILTER: AnswerTranslator = { success: (sse) => (sse ? new UsageChunkFilter() : null), failure: (a) => a };

export function chatHandler(deps: RelaySurfaceDeps, opts: { forceClaude: boolean; forceGemini?: boolean }) {
  /** Converted for the Claude pool: a `claude-*` model, or any under the /openai/claude mount. */
  const forClaude = (model: string) => !opts.forceGemini && (opts.forceClaude || /^claude-/i.test(model));
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const startedAt = deps.clock.now();
    const chat = readChatBody(request.body, forClaude);
    const { body, tools } = chat;
    const model = modelOf(body);
    if (opts.forceGemini || (!opts.forceClaude && /^gemini-/i.test(model))) return geminiChat(deps, request, reply, startedAt, body, model);
    if (forClaude(model)) {
      let t: ReturnType<typeof chatToMessages>;
      try {
        t = chatToMessages(body, tools);
      } catch (e) {
        if (e instanceof TranslateError) throw new RelayError('BAD_REQUEST', e.param ? `${e.param}: ${e.message}` : e.message);
        throw e;
      }
      const ctx = { model, id: newChatCompletionId(), created: Math.floor(startedAt / 1000), includeUsage: t.includeUsage };
      return runRelay(deps, request, reply, startedAt, {
        service: 'claude',
        endpoint: ENDPOINT,
        op: OPS.anthropicMessages,
        query: '',
        body: anthropicBody(t.request, chat),
        json: t.request,
        model,
        conversation: conversationId(t.request, request.headers),
        stream: t.stream,
        record: true,
        errors: openaiChatErrors,
        translate: chatFromAnthropic(ctx),
      });
    }
    const { json, clientAsked } = requestStreamUsage(body);
    return runRelay(deps, request, reply, startedAt, {
      service: 'openai',
      endpoint: ENDPOINT,
      op: OPS.openaiChat,
      query: '',
      body: clientAsked ? (request.body as Buffer) : Buffer.from(JSON.stringify(json)),
      json,
      model,
      conversation: chatConversationId(body, request.headers),
      stream: body.stream === true,
      record: true,
      errors: openaiChatErrors,
      translate: clientAsked ? undefined : PASS_USAGE_FILTER,
    });
  };
}
