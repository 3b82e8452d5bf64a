// Gemini request bodies ↔ Code Assist's envelope (PROTOCOLS 5.6): a generateContent body goes inside
// `{model, project, request}`, a countTokens body inside `{request:{model:"models/…", contents}}`; the client's own
// Code Assist bodies keep their shape but name the serving account's project and model. Pure.

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `models/gemini-2.5-pro` or `gemini-2.5-pro` → `gemini-2.5-pro`. */
export const bareModel = (m: string): string => m.replace(/^models\//, '');

/** A generateContent / streamGenerateContent body → Code Assist's `{model, project, request}`. */
export function wrapGenerate(body: Json, ctx: { model: string; project: string }): Json {
  return { model: bareModel(ctx.model), project: ctx.project, request: body };
}

/**
 * A countTokens body (`{contents}` or `{generateContentRequest:{contents,…}}`) → Code Assist's
 * `{request:{model:"models/…", contents}}` (Code Assist counts contents only).
 */
export function wrapCountTokens(body: Json, ctx: { model: string }): Json {
  const inner = isObject(body.generateContentRequest) ? body.generateContentRequest : body;
  return { request: { model: `models/${bareModel(ctx.model)}`, contents: Array.isArray(inner.contents) ? inner.contents : [] } };
}

/** A client's own Code Assist generate body, pointed at the serving account's project and (mapped) model. */
export function retargetGenerate(body: Json, ctx: { model: string; project: string }): Json {
  return { ...body, model: bareModel(ctx.model), project: ctx.project };
}

/** A client's own Code Assist countTokens body with the (mapped) model. */
export function retargetCountTokens(body: Json, ctx: { model: string }): Json {
  const request = isObject(body.request) ? body.request : {};
  return { ...body, request: { ...request, model: `models/${bareModel(ctx.model)}` } };
}

/** A client's loadCodeAssist / onboardUser body naming the serving account's project instead of its own. */
export function retargetSetup(body: Json, ctx: { project: string }): Json {
  const out: Json = { ...body, cloudaicompanionProject: ctx.project };
  if (isObject(body.metadata) && body.metadata.duetProject !== undefined) out.metadata = { ...body.metadata, duetProject: ctx.project };
  return out;
}
