// Gemini CLI's Code Assist methods (`/v1internal:<method>`, PROTOCOLS 5.6) when it is logged in with Google and
// pointed at the relay (CODE_ASSIST_ENDPOINT): served natively by gemini-oauth accounts, with the serving account's
// project (the relay's envelope for the kind retargets the body). Setup calls are relayed too but not metered.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { OPS, type Operation } from '../../../providers/types.js';
import { parseJsonObject } from '../../request-body.js';
import { authenticateFirst, forwardedQuery, modelOf, runRelay, type RelaySurfaceDeps } from '../relay-route.js';
import { geminiErrors } from './errors.js';
import { codeAssistConversationId, geminiKey } from './request-info.js';

/** Model a setup call is routed for: the one in Gemini CLI's user agent (`GeminiCLI/0.61.0/gemini-2.5-flash …`). */
const SETUP_MODEL = 'gemini-2.5-pro';
const UA_MODEL = /^GeminiCLI[^/]*\/[^/\s]+\/([A-Za-z0-9._-]+)/;

type Kind = 'generate' | 'stream' | 'count' | 'setup';
const METHODS: [string, Operation, Kind][] = [
  ['generateContent', OPS.codeAssistGenerate, 'generate'],
  ['streamGenerateContent', OPS.codeAssistStream, 'stream'],
  ['countTokens', OPS.codeAssistCountTokens, 'count'],
  ['loadCodeAssist', OPS.codeAssistLoad, 'setup'],
  ['onboardUser', OPS.codeAssistOnboard, 'setup'],
];

function modelFor(kind: Kind, json: Record<string, unknown>, request: FastifyRequest): string {
  if (kind === 'setup') return UA_MODEL.exec(String(request.headers['user-agent'] ?? ''))?.[1] ?? SETUP_MODEL;
  const raw = kind === 'count' ? (json.request as { model?: unknown } | undefined)?.model : json.model;
  return modelOf({ model: typeof raw === 'string' ? raw.replace(/^models\//, '') : raw });
}

export function codeAssistRoutes(app: FastifyInstance, deps: RelaySurfaceDeps): void {
  const authFirst = authenticateFirst(deps.keys, geminiKey);
  const handler = (method: string, op: Operation, kind: Kind) => async (request: FastifyRequest, reply: FastifyReply) => {
    const startedAt = deps.clock.now();
    const json = parseJsonObject(request.body);
    const metered = kind === 'generate' || kind === 'stream';
    return runRelay(deps, request, reply, startedAt, {
      service: 'gemini',
      counted: metered,
      endpoint: `/v1internal:${method}`,
      op,
      query: kind === 'stream' ? forwardedQuery(request.url, ['alt']) : '',
      body: request.body as Buffer,
      json,
      model: modelFor(kind, json, request),
      conversation: metered ? codeAssistConversationId(json) : null,
      stream: kind === 'stream',
      record: metered,
      errors: geminiErrors,
    });
  };
  // `::` is a literal colon in a route path.
  for (const [method, op, kind] of METHODS) app.post(`/v1internal::${method}`, { onRequest: authFirst }, handler(method, op, kind));
}
