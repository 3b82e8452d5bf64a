// What an operation looks like on the way out for a given kind: its path (with the model filled in where the
// protocol names it in the path) and its body (the kind's envelope, or the model mapping). Names no provider.
import type { Operation, ProviderAdapter } from './types.js';

const MODEL_SLOT = '{model}';

/** The operation's path after the account's base URL, `{model}` filled with the upstream model; undefined when not served. */
export function upstreamPath(adapter: ProviderAdapter, op: Operation, model: string): string | undefined {
  const p = adapter.paths[op];
  return p === undefined || !p.includes(MODEL_SLOT) ? p : p.replace(MODEL_SLOT, encodeURIComponent(model));
}

/**
 * The body to send when it differs from the client's: the kind's envelope around `json`, or `json` with the mapped
 * model when the model travels in the body. Null = send the original bytes unchanged (the common case).
 */
export function upstreamBody(
  adapter: ProviderAdapter,
  op: Operation,
  input: { json: () => Record<string, unknown>; requestedModel: string; model: string; secrets: unknown },
): Record<string, unknown> | null {
  const envelope = adapter.envelopes?.[op];
  if (envelope) return envelope.wrap(input.json(), { model: input.model, secrets: input.secrets });
  if (input.model === input.requestedModel || adapter.paths[op]?.includes(MODEL_SLOT)) return null;
  return { ...input.json(), model: input.model };
}
